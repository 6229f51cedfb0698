"""``ccengine serve CONFIG.toml``: run the engine's services until Ctrl-C or SIGTERM.

One trio nursery starts each service with ``nursery.start`` (each exposes
``async def run(self, *, task_status)``), so the command reports "ready" only once every service
is up, and a signal cancels the nursery: every service stops through its own cleanup (the SIP
face hangs up its calls). Today the services are the SIP face (``[sip]``, docs/sip.md) and the
inbound relay (``[serve]``); the admin API joins them here.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import trio

from ccengine.errors import TelephonyError
from ccengine.telephony import InboundRelay, Media, Registration, SipEvent, Telephony, TrunkStatus

__all__ = ["ServeConfig", "register", "serve"]


@dataclass(frozen=True, slots=True)
class ServeConfig:
    #: The whole TOML document; each service reads its own table.
    text: str
    #: Trunk that calls from outside are relayed to (None: they are refused with 480).
    relay_trunk: str | None
    ring_timeout: float


def load(text: str) -> ServeConfig:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise TelephonyError(f"configuration is not TOML: {err}", "bad-config") from err
    table = document.get("serve", {})
    unknown = set(table) - {"relay_trunk", "ring_timeout"}
    if unknown:
        raise TelephonyError(f"unknown [serve] settings: {', '.join(sorted(unknown))}", "bad-config")
    return ServeConfig(text, table.get("relay_trunk"), float(table.get("ring_timeout", 30.0)))


async def serve(config: ServeConfig, *, task_status: trio.TaskStatus[Telephony] = trio.TASK_STATUS_IGNORED) -> None:
    media = Media()
    telephony = Telephony(config.text, media=media)
    relay = _LoggingRelay(telephony, trunk=config.relay_trunk, ring_timeout=config.ring_timeout)
    async with trio.open_nursery() as nursery:
        await nursery.start(media.run)
        await nursery.start(telephony.run)
        await nursery.start(relay.run)
        task_status.started(telephony)


class _LoggingRelay(InboundRelay):
    """The relay, also printing registrations and trunk status for the operator."""

    def handle(self, event: SipEvent) -> None:
        match event:
            case Registration(user=user, contact=contact, expires=expires):
                state = f"registered at {contact} for {expires} s" if expires else "unregistered"
                print(f"agent {user} {state}", flush=True)
            case TrunkStatus(trunk=trunk, up=up):
                print(f"trunk {trunk} {'up' if up else 'DOWN'}", flush=True)
            case _:
                super().handle(event)


async def _until_signalled(config: ServeConfig) -> None:
    async with trio.open_nursery() as nursery:
        with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            telephony = await nursery.start(serve, config)
            for transport, ip, port in telephony.local_addresses():
                host = f"[{ip}]" if ":" in ip else ip
                print(f"ccengine serve: SIP on {transport} {host}:{port}", flush=True)
            async for signum in signals:
                print(f"ccengine serve: {signal.Signals(signum).name}, hanging up and stopping", flush=True)
                nursery.cancel_scope.cancel()
                break


def _run(args: argparse.Namespace) -> int:
    config = load(Path(args.config).read_text(encoding="utf-8"))
    trio.run(_until_signalled, config)
    print("ccengine serve: stopped", file=sys.stderr, flush=True)
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("serve", help="run the engine's SIP face from a TOML config until Ctrl-C / SIGTERM")
    p.add_argument("config", help="TOML file with [sip] (listen, trunk, agent) and [serve] tables (docs/sip.md)")
    p.set_defaults(run=_run)
