"""The draws of a live simulated run: one fate per seed and rank, the scenario's odds over many
calls, drift with the time of day, and the very fates the native simulator gives the same
records."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from pathlib import Path

import pytest

from ccengine.pacing import PacingError, Scenario, simulate
from ccengine.sim import OUTCOMES, Draws, Outcome

SCENARIOS = Path(__file__).parents[2] / "bench" / "scenarios"


def test_a_call_has_one_fate_per_seed_and_rank() -> None:
    scenario = Scenario.load(SCENARIOS / "agents-25.toml")
    draws = Draws(scenario, 7)
    assert [draws.call(r) for r in range(50)] == [Draws(scenario, 7).call(r) for r in range(50)]
    assert [draws.call(r) for r in range(50)] != [Draws(scenario, 8).call(r) for r in range(50)]
    assert draws.call(3).rank == 3
    assert {draws.call(r).outcome for r in range(200)} == set(OUTCOMES)


def test_shares_and_durations_follow_the_scenario() -> None:
    # agents-25: human 0.20, machine 0.12, busy 0.06, invalid 0.04; answers after 9 ± 4 s (a
    # person answering after the 25 s timeout, 0.4 %, or a machine too late to be detected
    # before it, 0.7 %, rings out); talk 90 ± 60 s, wrap-up 20 ± 10 s.
    draws = Draws(Scenario.load(SCENARIOS / "agents-25.toml"), 1)
    fates = [draws.call(r) for r in range(40_000)]
    shares = {k: v / len(fates) for k, v in Counter(f.outcome for f in fates).items()}
    expected: dict[Outcome, float] = {"human": 0.20 * 0.996, "machine": 0.12 * 0.993, "busy": 0.06, "invalid": 0.04}
    expected["no-answer"] = 1 - sum(expected.values())
    for outcome, share in expected.items():
        four_sd = 4 * math.sqrt(share * (1 - share) / len(fates))
        assert shares[outcome] == pytest.approx(share, abs=four_sd), outcome
    people = [f for f in fates if f.outcome == "human"]
    assert statistics.fmean(f.talk for f in people) == pytest.approx(90, rel=0.05)
    assert statistics.fmean(f.wrap for f in people) == pytest.approx(20, rel=0.05)
    assert statistics.fmean(f.ring for f in people) == pytest.approx(9, rel=0.05)
    assert max(f.ring for f in people) < 25
    assert all(2 <= f.ring <= 5 for f in fates if f.outcome == "busy")
    assert all(0.5 <= f.ring <= 2 for f in fates if f.outcome == "invalid")
    assert all(f.ring == draws.ring_timeout == 25 for f in fates if f.outcome == "no-answer")
    assert {f.talk for f in fates if f.outcome == "machine"} == {30.0}  # the voicemail's recording


def test_the_laws_drift_with_the_time_of_day() -> None:
    # drift.toml: 25 % of people, 10 % from 3 h, 30 % from 5.5 h with talks of 150 s.
    draws = Draws(Scenario.load(SCENARIOS / "drift.toml"), 1)

    def humans(at: float) -> list[float]:
        return [f.talk for f in (draws.call(r, at) for r in range(10_000)) if f.outcome == "human"]

    assert len(humans(3 * 3600 - 1)) / 10_000 == pytest.approx(0.25, abs=0.015)
    assert len(humans(3 * 3600)) / 10_000 == pytest.approx(0.10, abs=0.015)
    late = humans(6 * 3600)
    assert len(late) / 10_000 == pytest.approx(0.30, abs=0.015)
    assert statistics.fmean(late) == pytest.approx(150, rel=0.08)


def test_the_simulator_meets_the_same_fates() -> None:
    # A list of 400 records worked out well within the day: every record is dialled once, in
    # rank order, and resolved; the simulator's totals are the draws' counts, exactly.
    scenario = Scenario.load(SCENARIOS / "agents-5.toml")
    for seed in (1, 2):
        run = simulate(scenario, "progressive", seed, records=400)
        assert run["attempts"] == 400
        drawn = Counter(f.outcome for f in (Draws(scenario, seed).call(r) for r in range(400)))
        assert (run["humans"], run["machines"], run["no_answers"]) == (
            drawn["human"], drawn["machine"], drawn["no-answer"])


def test_pauses_are_each_agents_own() -> None:
    # staffing.toml: a pause an hour per agent, 300 s long on average.
    draws = Draws(Scenario.load(SCENARIOS / "staffing.toml"), 1)
    assert draws.pauses(4, 10) == draws.pauses(4, 10)
    assert draws.pauses(4, 10) != draws.pauses(5, 10)
    pauses = [p for agent in range(400) for p in draws.pauses(agent, 10)]
    assert statistics.fmean(p.after for p in pauses) == pytest.approx(3600, rel=0.06)
    assert statistics.fmean(p.length for p in pauses) == pytest.approx(300, rel=0.06)
    no_pauses = Scenario.from_figures(agents=3)
    assert Draws(no_pauses, 1).pauses(0, 5) == []


def test_bad_input_is_refused_with_a_reason() -> None:
    with pytest.raises(PacingError) as e:
        Draws(Scenario("name = 1", "x", "", 1.0, 1, None), 1)
    assert e.value.slug == "bad-scenario"
    with pytest.raises(ValueError, match="at most"):
        Draws(Scenario.load(SCENARIOS / "staffing.toml"), 1).pauses(0, 10**9)
