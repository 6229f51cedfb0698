"""Operator actions on campaigns and lists (seeds 000, 003, 004), with the indicator events that
keep "active campaigns" and "active lists" right on the dashboard (docs/metrics.md)."""

from __future__ import annotations

import trio

from ccengine import domain as d
from ccengine.metrics import Event, EventKind, Hub, Notice
from ccengine.store import Store


class CampaignService:
    def __init__(self, store: Store, events: trio.MemorySendChannel[Event] | None = None, *,
                 hub: Hub | None = None) -> None:
        """``hub``: told of every state change, including those no indicator event marks (a
        paused campaign stopped), so live screens follow them."""
        self.store = store
        self._events = events
        self._hub = hub

    async def act(self, campaign_id: int, action: str, *, at: int | None = None) -> d.Campaign:
        """start, pause, resume or stop; DomainError ``invalid-transition`` otherwise."""
        before, after = await self.store.campaign_action(campaign_id, action)
        await self._campaign_changed(before, after, at)
        return after

    async def set_inactive_reason(self, campaign_id: int, reason: d.InactiveReason | None, *,
                                  at: int | None = None) -> d.Campaign:
        """Why a running campaign cannot dial (lists exhausted, outside hours, no agents), or None
        when it can again; set by whoever evaluates the campaign (the dialer)."""
        before, after = await self.store.set_inactive_reason(campaign_id, reason)
        await self._campaign_changed(before, after, at)
        return after

    async def list_act(self, list_id: int, action: str, *, at: int | None = None) -> d.ContactList:
        """activate, pause or finish a list."""
        before, after = await self.store.list_action(list_id, action)
        campaign = await self.store.campaign(after.campaign_id)
        self._notify(Notice(campaign.tenant_id, "list", list_id))
        active = d.ListStatus.ACTIVE
        if (before.status is active) != (after.status is active):
            kind = EventKind.LIST_ACTIVATED if after.status is active else EventKind.LIST_DEACTIVATED
            await self._emit(Event(_now(at), kind, tenant=campaign.tenant_id, campaign=campaign.id, list=list_id))
        return after

    async def _campaign_changed(self, before: d.Campaign, after: d.Campaign, at: int | None) -> None:
        self._notify(Notice(after.tenant_id, "campaign", after.id))
        active = d.CampaignState.ACTIVE
        if (before.state is active) != (after.state is active):
            kind = EventKind.CAMPAIGN_ACTIVATED if after.state is active else EventKind.CAMPAIGN_DEACTIVATED
            await self._emit(Event(_now(at), kind, tenant=after.tenant_id, campaign=after.id))

    def _notify(self, notice: Notice) -> None:
        if self._hub is not None:
            self._hub.publish([notice])

    async def _emit(self, event: Event) -> None:
        if self._events is not None:
            await self._events.send(event)


def _now(at: int | None) -> int:
    return d.now_us() if at is None else at
