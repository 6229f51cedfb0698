"""The center: the engine's shared services in one trio run — the store, the indicator engine
(the metrics service over its event log), the agent and campaign services, the dialer and
supervision when the engine has telephony, and the admin API.

``Center.run`` opens the store (recovering calls a previous run left open), rebuilds the
indicators from the event log (its newest checkpoint, then the segments after it), sizes the
indicator engine to every entity the store holds, logs out agents whose sessions did not
survive the restart, starts the dialer (a task per running campaign: a restart resumes them) and
supervision over the given telephony, and serves the API until cancelled. Every event is made durable in the log
before it is counted, so cancelling at any moment loses nothing the screens showed.
``ccengine serve`` runs it when the configuration has an ``[api]`` table (docs/api.md).
"""

from __future__ import annotations

import argparse
import getpass
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trio

from ccengine import domain as d
from ccengine._lifetime import Outliving
from ccengine.agents import AgentService
from ccengine.api import ApiServer, Services, add_user
from ccengine.campaigns import CampaignService
from ccengine.dialer import Dialer, Dialling, Fallback
from ccengine.errors import DomainError, NotFound
from ccengine.metrics import Aggregator, Event, EventLog, Hub, MetricsService
from ccengine.store import Store
from ccengine.supervision import Supervision
from ccengine.telephony import Media, Telephony

__all__ = ["Center", "CenterConfig", "Voice", "register"]

#: Ids created while the engine runs fit without regrowing the indicator engine at once (the
#: API grows it past this headroom when needed).
HEADROOM = 64
#: Queues and channels have no table yet: their ids are small constants.
FIXED_SIZES = {"queue": 16, "channel": 8}


@dataclass(frozen=True, slots=True)
class CenterConfig:
    database: Path
    """The SQLite file (created on first run)."""
    events: Path
    """The indicator engine's event log directory."""
    tz: str
    """The zone the center's days, weeks and months are cut in."""
    host: str
    port: int
    """0 picks a free port (printed by ``ccengine serve``)."""

    @classmethod
    def from_file(cls, path: Path) -> CenterConfig:
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise DomainError(f"{path} is not TOML: {err}", "bad-config") from err
        return cls.from_tables(document.get("center", {}), document.get("api", {}), path.parent)

    @classmethod
    def from_tables(cls, center: dict[str, Any], api: dict[str, Any], base: Path) -> CenterConfig:
        """From the ``[center]`` and ``[api]`` tables; relative paths are taken from ``base`` (the
        configuration file's directory)."""
        _known("center", center, {"database", "events", "tz"})
        _known("api", api, {"listen"})
        listen = str(api.get("listen", "127.0.0.1:8080"))
        host, _, port = listen.rpartition(":")
        if not host or not port.isdigit() or int(port) > 65535:
            raise DomainError(f"[api] listen must be host:port (got {listen!r})", "bad-config")
        return cls(
            database=base / str(center.get("database", "ccengine.db")),
            events=base / str(center.get("events", "events")),
            tz=str(center.get("tz", "UTC")),
            host=host.strip("[]"),
            port=int(port),
        )


def _known(table: str, values: dict[str, Any], names: set[str]) -> None:
    unknown = set(values) - names
    if unknown:
        raise DomainError(f"unknown [{table}] settings: {', '.join(sorted(unknown))}", "bad-config")


@dataclass(frozen=True, slots=True)
class Voice:
    """The engine's telephony, given to the center so it dials and supervises: both services
    started (``media`` first) in an enclosing nursery, and how campaigns' calls are placed."""

    telephony: Telephony
    media: Media
    dialling: Dialling
    fallback: Fallback | None = None
    """Given the SIP events of legs the dialer does not own (calls from outside)."""


class Center:
    def __init__(self, config: CenterConfig, voice: Voice | None = None) -> None:
        self.config = config
        self.voice = voice
        self.services: Services | None = None
        """Set once running: what the API works on."""
        self.dialer: Dialer | None = None
        self.metrics: MetricsService | None = None

    async def run(self, *, task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED) -> None:
        """Runs until cancelled; reports the API's bound port once it listens."""
        c = self.config
        with Store(c.database) as store:
            await store.recover()
            log = EventLog(c.events)
            sizes = await _sizes(store)
            aggregator = Aggregator(sizes=sizes, tz=c.tz)
            # Nothing else touches the aggregator yet: the rebuild may run on a worker thread.
            await trio.to_thread.run_sync(log.rebuild, aggregator)
            # A checkpoint brings the sizes it was taken with: grow to what the store holds now.
            for dimension, size in sizes.items():
                if size > aggregator.sizes[dimension]:
                    aggregator.resize(dimension, size)  # type: ignore[arg-type]
            hub = Hub()
            metrics = MetricsService(aggregator, log, hub=hub)
            self.metrics = metrics
            senders = [metrics.sender() for _ in range(3)]  # agents, campaigns, dialer
            metrics.close()
            async with trio.open_nursery() as nursery:
                # The indicator engine outlives the services feeding it: cancelled, they stop
                # first (the dialer hangs up and records its calls, sending their events), close
                # their channels, and the metrics service ends once it has counted everything.
                await Outliving().start(nursery, metrics.run)  # ends by itself: no stop needed
                try:
                    await self._services(store, aggregator, hub, senders, task_status)
                finally:
                    for sender in senders:
                        sender.close()

    async def _services(self, store: Store, aggregator: Aggregator, hub: Hub,
                        senders: list[trio.MemorySendChannel[Event]], task_status: trio.TaskStatus[int]) -> None:
        c = self.config
        async with trio.open_nursery() as nursery:
            agents = AgentService(store, senders[0])
            campaigns = CampaignService(store, senders[1], hub=hub)
            # No agent session survives a restart: nobody may stay shown available.
            await agents.reconcile(())
            supervision = None
            if self.voice is not None:
                v = self.voice
                self.dialer = Dialer(store, agents, v.telephony, v.media, v.dialling, hub=hub, events=senders[2],
                                     campaigns=campaigns, fallback=v.fallback)
                await nursery.start(self.dialer.run)
                supervision = Supervision(self.dialer, hub=hub)
                await nursery.start(supervision.run)
            self.services = Services(store=store, agents=agents, campaigns=campaigns, aggregator=aggregator, hub=hub,
                                     supervision=supervision, dialer=self.dialer)
            port = await nursery.start(ApiServer(self.services, host=c.host, port=c.port).run)
            task_status.started(port)


async def _sizes(store: Store) -> dict[str, int]:
    return {**{dim: n + HEADROOM for dim, n in (await store.id_space()).items()}, **FIXED_SIZES}


async def _add_user(config: CenterConfig, args: argparse.Namespace, password: str) -> d.User:
    with Store(config.database) as store:
        try:
            tenant = await store.tenant(args.tenant)
        except NotFound:
            if args.tz is None:
                raise
            tenant = await store.create_tenant(args.tenant, args.tz)
        return await add_user(store, tenant.id, args.login, args.name or args.login, d.Role(args.role), password)


def _user_add(args: argparse.Namespace) -> int:
    config = CenterConfig.from_file(Path(args.config))
    password = os.environ.get("CCENGINE_PASSWORD")
    if password is None:
        password = getpass.getpass(f"password for {args.login}: ")
        if getpass.getpass("again: ") != password:
            raise DomainError("the two passwords differ", "password-mismatch")
    user = trio.run(_add_user, config, args, password)
    print(f"user {user.login} ({user.role}) added to tenant {args.tenant}, id {user.id}")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``ccengine user add``: the way in to a new center — its first admin."""
    user = commands.add_parser("user", help="manage the users of the center's store (docs/api.md)")
    actions = user.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a user; the password comes from $CCENGINE_PASSWORD or a prompt")
    add.add_argument("config", help="the TOML file `ccengine serve` runs from ([center] database)")
    add.add_argument("--tenant", required=True, help="tenant name")
    add.add_argument("--tz", help="create the tenant in this time zone if it does not exist")
    add.add_argument("--login", required=True)
    add.add_argument("--name", help="display name (default: the login)")
    add.add_argument("--role", choices=[r.value for r in d.Role], default=d.Role.ADMIN.value)
    add.set_defaults(run=_user_add)
