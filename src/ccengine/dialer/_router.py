"""One event router per process: the telephony and media events of a leg go to whoever placed
it (a campaign task for customer calls, the agent sessions for session legs). A single reader of
``Telephony.events`` and ``Media.events`` is needed because a trio channel hands each event to
one receiver only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import trio

from ccengine.telephony import Media, MediaEvent, SipEvent, Telephony

__all__ = ["EventRouter", "Fallback", "Handler"]

Handler = Callable[[SipEvent | MediaEvent], Awaitable[None]]
"""An owner of legs: their SIP events and their media legs' events."""
Fallback = Callable[[SipEvent], Awaitable[None]]
"""Whoever takes the SIP events no owner claims (media events always have an owner or none)."""


class EventRouter:
    def __init__(self, telephony: Telephony, media: Media, *, fallback: Fallback | None = None) -> None:
        """``fallback``: given the SIP events no owner claims (calls from outside, registrations,
        trunk status), when something else in the process wants them (``ccengine serve``'s relay)."""
        self.telephony = telephony
        self.media = media
        self.fallback = fallback
        self._owners: dict[int, Handler] = {}

    def own(self, leg: int, handler: Handler) -> None:
        """Events of SIP leg ``leg`` (and of its media leg) go to ``handler`` from now on."""
        self._owners[leg] = handler

    def release(self, leg: int) -> None:
        self._owners.pop(leg, None)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self._sip)
            nursery.start_soon(self._media)
            task_status.started()

    async def _sip(self) -> None:
        async for event in self.telephony.events:
            owner = self._owners.get(getattr(event, "leg", -1))
            if owner is not None:
                await owner(event)
            elif self.fallback is not None:
                await self.fallback(event)

    async def _media(self) -> None:
        async for event in self.media.events:
            media_leg = event.fields.get("leg")
            sip_leg = None if media_leg is None else self.telephony.sip_leg(media_leg)
            handler = None if sip_leg is None else self._owners.get(sip_leg)
            if handler is not None:
                await handler(event)
