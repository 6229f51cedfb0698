"""The stored event log: durable segments read back in place, and a cold rebuild."""

from __future__ import annotations

import pytest

from ccengine import metrics as m

SIZES = {"tenant": 1, "agent": 20, "team": 2, "campaign": 2, "list": 4, "queue": 1, "channel": 1}


@pytest.fixture
def day() -> m.EventBatch:
    return m.synthetic_day(agents=20, teams=2, campaigns=2, lists=4, queues=1, target_events=40_000, seed=3)


def test_segments_round_trip_every_column(tmp_path, day):
    log = m.EventLog(tmp_path)
    log.append(day.take(slice(0, 1000)))
    log.append(day.take(slice(1000, None)))
    assert [p.name for p in log.segments()] == ["segment-00000001.evl", "segment-00000002.evl"]
    back = list(log.batches())
    for name in m.COLUMNS:
        assert back[0].columns()[name].tolist() == day.columns()[name][:1000].tolist()
    assert sum(len(b) for b in back) == len(day)


def test_rebuild_from_the_log_equals_ingesting_live(tmp_path, day):
    log = m.EventLog(tmp_path)
    for start in range(0, len(day), 7000):
        log.append(day.take(slice(start, start + 7000)))
    live = m.Aggregator(sizes=SIZES, tz="Europe/Paris")
    live.ingest(day)
    rebuilt = m.Aggregator(sizes=SIZES, tz="Europe/Paris")
    assert log.rebuild(rebuilt).accepted == len(day)
    now = int(day.time[-1])
    for period in ("day", "week", "month"):
        assert rebuilt.values(now, period, "agent", 3) == live.values(now, period, "agent", 3)


def test_a_half_written_segment_is_not_read(tmp_path, day):
    log = m.EventLog(tmp_path)
    log.append(day.take(slice(0, 10)))
    (tmp_path / "segment-00000002.partial").write_bytes(b"CCEVLOG1 crash")
    assert len(log.segments()) == 1


def test_a_truncated_or_foreign_file_is_refused(tmp_path, day):
    log = m.EventLog(tmp_path)
    path = log.append(day.take(slice(0, 100)))
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(ValueError, match="truncated"):
        m.EventLog.read(path)
    path.write_bytes(b"NOTALOG!" + bytes(8))
    with pytest.raises(ValueError, match="not an event-log segment"):
        m.EventLog.read(path)
