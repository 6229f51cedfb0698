"""``ccengine serve CONFIG.toml``: run the engine's services until Ctrl-C or SIGTERM.

One trio nursery starts each service with ``nursery.start`` (each exposes
``async def run(self, *, task_status)``), so the command reports "ready" only once every service
is up, and a signal cancels the nursery: every service stops through its own cleanup (the SIP
face hangs up its calls). The services are the SIP face (``[sip]``, docs/sip.md) with the
inbound relay (``[serve]``), and the center — store, indicators and the admin API — when there
is an ``[api]`` table (``[center]`` says where its files are; docs/api.md). With both, and a
``[dialer]`` table (docs/dialer.md), the center dials: a task per running campaign (campaigns
started through the API, or with ``ccengine campaign start``), agents' phone sessions and
supervision; the dialer's event router is then the one reader of the SIP events, and hands the
relay those of calls it does not own.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import trio

from ccengine._lifetime import Outliving
from ccengine.center import Center, CenterConfig, Voice
from ccengine.dialer import Dialling, dialling_from_table
from ccengine.errors import DomainError, TelephonyError
from ccengine.telephony import (
    InboundRelay,
    Media,
    RegisterStatus,
    Registration,
    SipEvent,
    Telephony,
    TrunkStatus,
)

__all__ = ["ServeConfig", "register", "serve"]


@dataclass(frozen=True, slots=True)
class ServeConfig:
    #: The whole TOML document; each service reads its own table.
    text: str
    #: Trunk that calls from outside are relayed to (None: they are refused with 480).
    relay_trunk: str | None
    ring_timeout: float
    sip: bool
    """Whether there is a ``[sip]`` table: the SIP face runs."""
    media_address: str
    """Where calls' RTP sockets bind: ``[serve] media_address``, by default the IPv4 address of
    the first ``[[sip.listen]]`` (``0.0.0.0`` when that one is IPv6)."""
    center: CenterConfig | None
    """From ``[center]`` and ``[api]``: the center runs when there is an ``[api]`` table."""
    dialling: Dialling | None = None
    """From ``[dialer]``: the center dials (needs ``[sip]`` and ``[api]``)."""


def load(text: str, base: Path = Path()) -> ServeConfig:
    """``base``: the directory relative paths of the configuration are taken from."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise TelephonyError(f"configuration is not TOML: {err}", "bad-config") from err
    table = document.get("serve", {})
    unknown = set(table) - {"relay_trunk", "ring_timeout", "media_address"}
    if unknown:
        raise TelephonyError(f"unknown [serve] settings: {', '.join(sorted(unknown))}", "bad-config")
    center = CenterConfig.from_tables(document.get("center", {}), document["api"], base) if "api" in document else None
    if "sip" not in document and center is None:
        raise TelephonyError("nothing to serve: the configuration has neither [sip] nor [api]", "bad-config")
    dialling = None
    if "dialer" in document:
        if "sip" not in document or center is None:
            raise DomainError("[dialer] needs [sip] (to place calls) and [api] (the center)", "bad-config")
        dialling = dialling_from_table(document["dialer"], base)
    # The media engine's sockets listen where the SIP face does (its first address), so the
    # RTP address a call advertises is one the peer can reach; an IPv6 listener gets IPv4 media.
    return ServeConfig(text, table.get("relay_trunk"), float(table.get("ring_timeout", 30.0)), "sip" in document,
                       str(table.get("media_address") or _listen_ipv4(document)), center, dialling)


def _listen_ipv4(document: dict[str, object]) -> str:
    sip = document.get("sip")
    listens = sip.get("listen") if isinstance(sip, dict) else None
    address = listens[0].get("address", "") if isinstance(listens, list) and listens and isinstance(listens[0], dict) \
        else ""
    host = str(address).rpartition(":")[0]
    return host if host and not host.startswith("[") else "0.0.0.0"


@dataclass(frozen=True, slots=True)
class Running:
    """What ``serve`` started: the SIP face, the center and the API's bound port."""

    telephony: Telephony | None
    api_port: int | None
    center: Center | None = None


async def serve(config: ServeConfig, *, quiet: bool = False,
                task_status: trio.TaskStatus[Running] = trio.TASK_STATUS_IGNORED) -> None:
    """``quiet``: registrations and trunk status are not printed (a screen of its own is shown)."""
    lasting = Outliving()
    async with trio.open_nursery() as nursery:
        telephony = voice = relay = None
        if config.sip:
            media = Media(bind=config.media_address)
            telephony = Telephony(config.text, media=media)
            relay = (InboundRelay if quiet else _LoggingRelay)(telephony, trunk=config.relay_trunk,
                                                               ring_timeout=config.ring_timeout)
            # The SIP and media engines outlive the center: its dialer hangs up and records the
            # calls in flight through them when it stops.
            await lasting.start(nursery, media.run)  # before the SIP face: calls open media legs
            await lasting.start(nursery, telephony.run)
            if config.dialling is not None:
                voice = Voice(telephony, media, config.dialling, fallback=relay.offer)
        try:
            async with trio.open_nursery() as users:
                if relay is not None and voice is None:
                    await users.start(relay.run)
                center = None if config.center is None else Center(config.center, voice)
                api_port = None if center is None else await users.start(center.run)
                task_status.started(Running(telephony, api_port, center))
        finally:
            lasting.stop()


class _LoggingRelay(InboundRelay):
    """The relay, also printing registrations (agents' with us, ours with carriers) and trunk
    status for the operator."""

    def handle(self, event: SipEvent) -> None:
        match event:
            case Registration(user=user, contact=contact, expires=expires):
                state = f"registered at {contact} for {expires} s" if expires else "unregistered"
                print(f"agent {user} {state}", flush=True)
            case TrunkStatus(trunk=trunk, up=up):
                print(f"trunk {trunk} {'up' if up else 'DOWN'}", flush=True)
            case RegisterStatus(name=name, kind=kind, ok=ok, expires=expires, reason=reason, status=status):
                if ok:
                    state = f"registered for {expires} s" if expires else "unregistered"
                else:
                    state = f"registration FAILED: {reason} (status {status}), retrying"
                print(f"{kind} {name} {state}", flush=True)
            case _:
                super().handle(event)


async def _until_signalled(config: ServeConfig) -> None:
    async with trio.open_nursery() as nursery:
        with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            running: Running = await nursery.start(serve, config)
            if running.telephony is not None:
                for transport, ip, port in running.telephony.local_addresses():
                    host = f"[{ip}]" if ":" in ip else ip
                    print(f"ccengine serve: SIP on {transport} {host}:{port}", flush=True)
            if config.center is not None:
                host = config.center.host
                print(f"ccengine serve: API on http://{f'[{host}]' if ':' in host else host}:{running.api_port}",
                      flush=True)
            async for signum in signals:
                print(f"ccengine serve: {signal.Signals(signum).name}, hanging up and stopping", flush=True)
                nursery.cancel_scope.cancel()
                break


def _run(args: argparse.Namespace) -> int:
    path = Path(args.config)
    config = load(path.read_text(encoding="utf-8"), path.parent)
    trio.run(_until_signalled, config)
    print("ccengine serve: stopped", file=sys.stderr, flush=True)
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("serve", help="run the engine (SIP face, admin API) until Ctrl-C or SIGTERM")
    p.add_argument("config", help="TOML file: [sip] (listen, trunk, agent) and [serve] tables (docs/sip.md); "
                                  "[api] and [center] for the admin API (docs/api.md)")
    p.set_defaults(run=_run)
