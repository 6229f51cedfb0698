"""The stored event log: durable segments read back in place, and a cold rebuild."""

from __future__ import annotations

import pytest

from ccengine import metrics as m
from ccengine.errors import MetricsError

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


def test_appends_list_the_directory_once_and_a_reopened_log_continues(tmp_path, day, monkeypatch):
    log = m.EventLog(tmp_path)
    log.append(day.take(slice(0, 10)))
    monkeypatch.setattr(log, "segments", lambda: pytest.fail("listed the directory again"))
    assert log.append(day.take(slice(10, 20))).name == "segment-00000002.evl"
    assert m.EventLog(tmp_path).append(day.take(slice(20, 30))).name == "segment-00000003.evl"
    assert sum(len(b) for b in m.EventLog(tmp_path).batches()) == 30


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


def _log_of(tmp_path, day: m.EventBatch, rows: int = 7000) -> m.EventLog:
    log = m.EventLog(tmp_path)
    for start in range(0, len(day), rows):
        log.append(day.take(slice(start, start + rows)))
    return log


def _answers(agg: m.Aggregator, now: int) -> list:
    out: list = [agg.live(now)]
    for period in ("day", "week", "month"):
        out += [agg.table(now, period, dim).values.tobytes() for dim in SIZES]
    return out


def test_rebuild_from_a_checkpoint_equals_replaying_every_segment(tmp_path, day):
    log = _log_of(tmp_path, day)
    live = m.Aggregator(sizes=SIZES, tz="Europe/Paris")
    live.ingest(day)
    replayed = m.Aggregator(sizes=SIZES, tz="Europe/Paris")
    log.rebuild(replayed)
    path = log.checkpoint(replayed)
    assert path.name == f"checkpoint-{len(log.segments()):08d}.ckp"
    # The configuration comes from the checkpoint, whatever the aggregator was made with.
    restored = m.Aggregator(sizes={"agent": 1})
    report = log.rebuild(restored)
    assert (report.accepted, report.rejected) == (0, 0)
    assert restored.tz == "Europe/Paris" and restored.sizes == live.sizes
    now = int(day.time[-1]) + 60_000_000
    assert _answers(restored, now) == _answers(live, now) == _answers(replayed, now)


def test_a_checkpoint_followed_by_more_segments(tmp_path, day):
    log = _log_of(tmp_path, day.take(slice(0, 20_000)))
    early = m.Aggregator(sizes=SIZES, tz="Europe/Paris")
    log.rebuild(early)
    first = log.checkpoint(early)
    log.checkpoint(early)  # again at the same segment: replaces itself
    for start in range(20_000, len(day), 9000):
        log.append(day.take(slice(start, start + 9000)))
    restored = m.Aggregator(sizes=SIZES, tz="Europe/Paris")
    assert log.rebuild(restored).accepted == len(day) - 20_000
    live = m.Aggregator(sizes=SIZES, tz="Europe/Paris")
    live.ingest(day)
    now = int(day.time[-1])
    assert _answers(restored, now) == _answers(live, now)
    # A newer checkpoint supersedes the first.
    log.checkpoint(restored)
    assert [p.name for p in log.checkpoints()] == [f"checkpoint-{len(log.segments()):08d}.ckp"]
    assert not first.exists()


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "foreign"])
def test_a_damaged_checkpoint_is_refused(tmp_path, day, damage):
    log = _log_of(tmp_path, day.take(slice(0, 10_000)))
    agg = m.Aggregator(sizes=SIZES, tz="Europe/Paris")
    log.rebuild(agg)
    path = log.checkpoint(agg)
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data[len(data) // 2] ^= 0xFF
    elif damage == "empty":
        data = bytearray()
    else:
        data = bytearray(b"CCEVLOG1" + bytes(64))
    path.write_bytes(bytes(data))
    with pytest.raises(MetricsError) as refused:
        log.rebuild(m.Aggregator(sizes=SIZES, tz="Europe/Paris"))
    assert refused.value.slug == "bad-checkpoint"
