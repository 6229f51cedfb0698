"""The pacer through ccengine.pacing: modes, decisions, and impossible snapshots refused."""

from __future__ import annotations

import math

import pytest

from ccengine.errors import CCEngineError
from ccengine.pacing import Counts, Pacer, PacingError, Snapshot


def busy(now: float, **over) -> Snapshot:
    fields = {
        "now": now, "agents": 20, "idle": 4, "talking": [float(5 * i) for i in range(14)], "wrapping": [3.0, 8.0],
        "ringing": [1.0, 4.0, 9.0], "counts": Counts(5000, 1000, 600, 2900, 5, 995), "window": (1000, 5),
        "last_hour": (400, 2), "recent_talk": [60.0 + i for i in range(100)], "recent_wrap": [15.0] * 100,
        "recent_answer": [6.0 + i % 8 for i in range(100)],
    }
    return Snapshot(**(fields | over))


def test_progressive_and_power_follow_their_rule():
    s = busy(0.0)
    assert Pacer("progressive").decide(s).place == 1  # 4 idle, 3 ringing
    assert Pacer("preview").decide(s).reason == "preview"
    assert Pacer("power", ratio=3).decide(s).place == 9  # 12 in flight for 4 idle
    assert Pacer("power", ratio=3).mode == "power"


def test_predictive_dials_ahead_of_free_agents_and_stops_at_the_cap():
    p = Pacer()
    d = p.decide(busy(0.0))
    assert d.reason == "predictive"
    assert d.place > 1  # more than progressive: agents finishing count
    assert 0 < d.expected_abandons < 0.03 * d.expected_humans
    assert 0 < d.target_rate < 0.03
    # The last hour at the cap: the guard lets only calls of a tenth of the risk through.
    held = p.decide(busy(0.1, last_hour=(400, 12)))
    assert held.reason == "guarded"
    assert held.target_rate == pytest.approx(d.target_rate / 10, rel=0.05)
    assert 1 <= held.place < d.place


def test_cold_start_and_small_teams_are_careful():
    cold = Pacer().decide(busy(0.0, counts=Counts(), recent_talk=[]))
    assert cold.reason == "cold-start"
    assert cold.place == 1
    small = busy(0.0, agents=5, idle=1, talking=[30.0, 50.0, 70.0], wrapping=[4.0], ringing=[2.0])
    assert Pacer().decide(small).place <= Pacer().decide(busy(0.0)).place


def test_a_list_running_out_bounds_the_calls():
    assert Pacer("power", ratio=5).decide(busy(0.0, records_left=2)).place == 2
    assert Pacer().decide(busy(0.0, records_left=0)).place == 0


def test_a_list_worked_out_before_the_window_closes_is_dialled_progressively():
    # 1,000 records at about 50 agent-seconds each (25 s of ring at most, a fifth of them a
    # person for 125 s) take 20 agents 42 minutes: with four hours left, abandons buy nothing.
    bound = Pacer().decide(busy(0.0, records_left=1000, time_left=4 * 3600.0))
    assert (bound.reason, bound.place) == ("list-bound", 1)
    # Half an hour left: the agents are the limit again, and predictive dials ahead of them.
    short = Pacer().decide(busy(0.0, records_left=1000, time_left=1800.0))
    assert short.reason == "predictive"
    assert short.place > 1
    # Unknown closing time: predictive, as before.
    assert Pacer().decide(busy(0.0, records_left=1000)).reason == "predictive"


@pytest.mark.parametrize(
    ("over", "slug", "words"),
    [
        ({"counts": Counts(attempts=-1)}, "negative-count", "attempts"),
        ({"ringing": [math.nan]}, "bad-duration", "ringing"),
        ({"recent_talk": [-3.0]}, "bad-duration", "recent_talk"),
        ({"agents": 10}, "too-many-busy", "only 10"),
        ({"counts": Counts(10, 5, 0, 0, 6, 0)}, "inconsistent-counts", "abandons"),
        ({"last_hour": (1, 2)}, "inconsistent-counts", "last-hour"),
    ],
)
def test_impossible_snapshots_are_refused_with_a_slug(over, slug, words):
    with pytest.raises(PacingError) as e:
        Pacer().decide(busy(0.0, **over))
    assert e.value.slug == slug
    assert words in str(e.value)
    assert isinstance(e.value, CCEngineError)


def test_time_may_not_go_back_and_bad_settings_are_refused():
    p = Pacer()
    p.decide(busy(10.0))
    with pytest.raises(PacingError) as e:
        p.decide(busy(9.0))
    assert e.value.slug == "time-went-back"
    for kwargs in ({"mode": "turbo"}, {"abandon_cap": 2.0}, {"window": "week"}, {"mode": "power", "ratio": 0.5}):
        with pytest.raises(PacingError) as e:
            Pacer(**kwargs)
        assert e.value.slug == "bad-config"
