from __future__ import annotations

from pathlib import Path

import trio

from ccengine import domain as d
from ccengine import metrics
from ccengine.campaigns import CampaignService
from ccengine.metrics import Event, EventKind
from ccengine.store import Store

T0 = d.now_us()
SEC = d.SECOND


async def test_the_dashboard_counts_what_operators_and_the_dialer_did(tmp_path: Path) -> None:
    send, receive = trio.open_memory_channel[Event](100)
    with Store(tmp_path / "c.db") as store:
        tenant = await store.create_tenant("acme")
        camp = await store.create_campaign(d.Campaign(id=0, tenant_id=tenant.id, name="x"))
        lst = await store.create_list(camp.id, "l")
        ops = CampaignService(store, send)
        await ops.act(camp.id, "start", at=T0)
        await ops.list_act(lst.id, "activate", at=T0 + SEC)
        await ops.set_inactive_reason(camp.id, d.InactiveReason.NO_AGENTS, at=T0 + 2 * SEC)
        await ops.set_inactive_reason(camp.id, d.InactiveReason.OUTSIDE_HOURS, at=T0 + 3 * SEC)  # still inactive
        await ops.set_inactive_reason(camp.id, None, at=T0 + 4 * SEC)
        await ops.list_act(lst.id, "pause", at=T0 + 5 * SEC)
        paused = await ops.act(camp.id, "pause", at=T0 + 6 * SEC)
        assert paused.state is d.CampaignState.PAUSED
    send.close()
    events = [e async for e in receive]
    assert [e.kind for e in events] == [
        EventKind.CAMPAIGN_ACTIVATED, EventKind.LIST_ACTIVATED, EventKind.CAMPAIGN_DEACTIVATED,
        EventKind.CAMPAIGN_ACTIVATED, EventKind.LIST_DEACTIVATED, EventKind.CAMPAIGN_DEACTIVATED]
    agg = metrics.Aggregator(sizes={"tenant": 2, "agent": 1, "team": 1, "campaign": 2, "list": 2, "queue": 1,
                                    "channel": 1}, tz="UTC")
    assert agg.ingest(metrics.EventBatch.from_events(events[:4])).rejected == 0
    assert agg.live(T0 + 4 * SEC).active_campaigns == 1
    assert agg.ingest(metrics.EventBatch.from_events(events[4:])).rejected == 0
    assert agg.live(T0 + 6 * SEC).active_campaigns == 0
    assert agg.values(T0 + 6 * SEC, "day")["active_lists"] == 1
