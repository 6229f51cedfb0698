"""The Python face of the aggregator: refusals with slugs, reports, tables, series, live."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ccengine import metrics as m

SIZES = {"tenant": 1, "agent": 4, "team": 2, "campaign": 2, "list": 3, "queue": 1, "channel": 1}
K = m.EventKind


def us(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).timestamp() * 1_000_000)


@pytest.fixture
def agg() -> m.Aggregator:
    return m.Aggregator(sizes=SIZES, tz="Europe/Paris")


def test_a_refused_event_raises_with_its_slug(agg):
    with pytest.raises(m.MetricsError) as err:
        agg.push(K.CSAT_SCORED, us("2026-11-20T10:00:00+01:00"), value=9.0)
    assert err.value.slug == "score-out-of-range"
    assert isinstance(err.value, ValueError)
    with pytest.raises(m.MetricsError) as err:
        agg.push(K.DIAL_ATTEMPT, 0, agent=99)
    assert err.value.slug == "unknown-id"


def test_a_batch_keeps_its_good_rows_and_reports_the_bad(agg):
    t = us("2026-11-20T10:00:00+01:00")
    batch = m.EventBatch.from_columns(
        time=[t, t + 1, t + 2, t + 3],
        kind=[K.DIAL_ATTEMPT, 77, K.DIAL_ATTEMPT, K.AGENT_LOGIN],
    )
    report = agg.ingest(batch)
    assert report.accepted == 2
    assert report.errors == [(1, "unknown-kind"), (3, "missing-agent")]
    assert "77" in report.rejections[0].message
    assert agg.values(t + 10, "day")["attempts"] == 2.0


def test_report_gives_values_previous_and_trends(agg):
    for day, n in (("2026-11-19", 2), ("2026-11-20", 3)):
        for i in range(n):
            agg.push(K.DIAL_ATTEMPT, us(f"{day}T09:0{i}:00+01:00"), campaign=1)
    report = agg.report(us("2026-11-20T18:00:00+01:00"), "day", "campaign", 1)
    attempts = report.indicators["attempts"]
    assert (attempts.value, attempts.previous, attempts.trend, attempts.comparison) == (3.0, 2.0, "up", "to_date")
    assert report.start == us("2026-11-20T00:00:00+01:00")
    assert report.previous_end == report.start
    assert report.indicators["abandon_rate"].value is None
    assert report.indicators["abandon_rate"].trend is None


def test_table_has_a_row_per_entity(agg):
    t = us("2026-11-20T10:00:00+01:00")
    agg.push(K.AGENT_LOGIN, t, agent=2, team=1)
    table = agg.table(t + 3_600_000_000, "day", "agent")
    assert table.values.shape == (4, len(m.INDICATORS))
    assert table.column("logged_hours").tolist() == [0.0, 0.0, 1.0, 0.0]
    assert table.row(2)["occupancy"] == 0.0
    assert table.row(0)["occupancy"] is None


def test_series_follow_local_hours(agg):
    agg.push(K.DIAL_ATTEMPT, us("2026-11-20T09:30:00+01:00"))
    agg.push(K.DIAL_ATTEMPT, us("2026-11-20T11:10:00+01:00"))
    points = agg.series(us("2026-11-20T11:30:00+01:00"), "day", "attempts")
    assert len(points) == 12
    assert points[9] == (us("2026-11-20T09:00:00+01:00"), 1.0)
    assert points[11] == (us("2026-11-20T11:00:00+01:00"), 1.0)


def test_live_shows_agents_campaigns_and_queues(agg):
    t = us("2026-11-20T10:00:00+01:00")
    agg.push(K.AGENT_LOGIN, t, agent=0)
    agg.push(K.AGENT_PAUSE, t + 1_000_000, agent=0, aux=3)
    agg.push(K.CAMPAIGN_ACTIVATED, t, campaign=1)
    agg.push(K.QUEUE_ENTERED, t, queue=0, call=42)
    live = agg.live(t + 61_000_000)
    assert live.agents_connected == 1
    assert live.agents_by_state["paused"] == 1
    assert live.as_dict()["queues"] == {0: {"waiting": 1, "longest_wait_seconds": 61.0}}
    assert agg.agent_state(0) == ("paused", t + 1_000_000)


def test_resize_admits_new_ids(agg):
    with pytest.raises(m.MetricsError):
        agg.push(K.AGENT_LOGIN, 0, agent=10)
    agg.resize("agent", 11)
    agg.push(K.AGENT_LOGIN, us("2026-11-20T10:00:00+01:00"), agent=10)
    assert agg.sizes["agent"] == 11


def test_bad_arguments_are_refused(agg):
    with pytest.raises(m.MetricsError) as err:
        agg.values(0, "year")  # type: ignore[arg-type]
    assert err.value.slug == "invalid-argument"
    with pytest.raises(m.MetricsError) as err:
        m.Aggregator(sizes=SIZES, tz="Mars/Olympus")
    assert err.value.slug == "unknown-time-zone"


def test_call_report_matches_the_aggregator_on_a_synthetic_day():
    whole = m.synthetic_day(agents=30, teams=3, campaigns=3, lists=6, queues=2, target_events=60_000, seed=7)
    # The day until 23:00 (a few callbacks are only made the next morning).
    evening = us("2026-11-20T23:00:00+01:00")
    day = whole.take(slice(0, int(np.searchsorted(whole.time, evening))))
    report = m.call_report(day, "Europe/Paris")
    agg = m.Aggregator(sizes={"tenant": 1, "agent": 30, "team": 3, "campaign": 3, "list": 6, "queue": 2,
                              "channel": 1}, tz="Europe/Paris")
    assert agg.ingest(day).rejected == 0
    today = agg.values(evening, "day")
    for name in ("attempts", "human_answers", "connects", "abandons", "conversations"):
        assert report.center[name] == today[name], name
    assert report.center["aht_seconds"] == pytest.approx(today["aht_seconds"])
    assert sum(report.attempts_by_local_hour) == today["attempts"]
    assert np.all(np.diff(day.time) >= 0)
