"""The live hub: who is told what changed, without ever making the engine wait.

The metrics service publishes each batch it has just counted (so a subscriber that reads the
aggregator on notice sees the change), and the campaign service publishes state changes that
carry no indicator event (a paused campaign stopped). Publishing is synchronous and never
blocks: each subscriber has a bounded set of pending notices keyed by what changed, so a burst
about one agent is coalesced into one notice, and a subscriber that lets more than its capacity
of different things pile up is dropped (its cancel scope is cancelled) instead of growing or
slowing anyone down.
"""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import trio

from ccengine.metrics._events import NONE, Event, EventKind

#: Event kinds that change an agent's state.
AGENT_KINDS = frozenset({
    EventKind.AGENT_LOGIN, EventKind.AGENT_LOGOUT, EventKind.AGENT_PAUSE, EventKind.AGENT_RESUME,
    EventKind.CONNECTED, EventKind.HANGUP, EventKind.WRAPUP_START, EventKind.WRAPUP_END,
})
CAMPAIGN_KINDS = frozenset({EventKind.CAMPAIGN_ACTIVATED, EventKind.CAMPAIGN_DEACTIVATED})
LIST_KINDS = frozenset({EventKind.LIST_ACTIVATED, EventKind.LIST_DEACTIVATED})


@dataclass(frozen=True, slots=True)
class Notice:
    """Something of a tenant changed: ``topic`` (``agent``, ``campaign``, ``list`` or
    ``indicators``) and the entity's id (0 for indicators); ``agent`` names the agent it concerns,
    if any, so an agent's own view can be told only about them."""

    tenant: int
    topic: str
    key: int = 0
    agent: int = NONE


class Dropped(Exception):
    """The subscriber fell more than its capacity behind and was dropped."""


class Subscription:
    def __init__(self, accept: Callable[[Notice], bool], capacity: int, scope: trio.CancelScope | None) -> None:
        self._accept = accept
        self._capacity = capacity
        self._scope = scope
        self._pending: dict[tuple[str, int], Notice] = {}
        self._wake = trio.Event()
        self.dropped = False

    def offer(self, notice: Notice) -> None:
        if self.dropped or not self._accept(notice):
            return
        key = (notice.topic, notice.key)
        if key not in self._pending and len(self._pending) >= self._capacity:
            self.dropped = True
            self._pending.clear()
            if self._scope is not None:
                self._scope.cancel()
        else:
            self._pending[key] = notice
        self._wake.set()

    async def receive(self) -> list[Notice]:
        """What changed since the last call (waits for something); Dropped if fallen behind."""
        while not self._pending and not self.dropped:
            await self._wake.wait()
            self._wake = trio.Event()
        if self.dropped:
            raise Dropped("the subscriber fell too far behind")
        notices = list(self._pending.values())
        self._pending.clear()
        return notices


class Hub:
    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()
        self._versions: collections.Counter[int] = collections.Counter()

    def version(self, tenant: int) -> int:
        """How many notices about a tenant were published: what was read from its state at one
        version is still current while the version is unchanged."""
        return self._versions[tenant]

    @property
    def subscribers(self) -> int:
        return len(self._subscriptions)

    @contextlib.contextmanager
    def subscribe(self, accept: Callable[[Notice], bool], *, capacity: int = 1024,
                  scope: trio.CancelScope | None = None) -> Iterator[Subscription]:
        """A subscription to the notices ``accept`` lets through, holding at most ``capacity``
        different pending ones; when it overflows it is dropped and ``scope`` cancelled."""
        if capacity < 1:
            raise ValueError("a subscription holds at least one notice")
        subscription = Subscription(accept, capacity, scope)
        self._subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            self._subscriptions.discard(subscription)

    def publish(self, notices: Iterable[Notice]) -> None:
        notices = list(notices)
        self._versions.update(n.tenant for n in notices)
        for subscription in list(self._subscriptions):
            for notice in notices:
                subscription.offer(notice)

    def publish_events(self, events: Sequence[Event]) -> None:
        """The notices a counted batch of events makes: the figures of each tenant it names, and
        the agents, campaigns and lists whose state it changed."""
        notices: dict[Notice, None] = {}
        for e in events:
            if e.tenant == NONE:
                continue
            notices[Notice(e.tenant, "indicators", 0, e.agent)] = None
            if e.kind in AGENT_KINDS:
                notices[Notice(e.tenant, "agent", e.agent, e.agent)] = None
            elif e.kind in CAMPAIGN_KINDS:
                notices[Notice(e.tenant, "campaign", e.campaign)] = None
            elif e.kind in LIST_KINDS:
                notices[Notice(e.tenant, "list", e.list)] = None
        self.publish(notices)
