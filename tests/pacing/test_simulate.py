"""The simulator from Python: scenario files, seeds, the cap, and wrong fields named."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccengine.pacing import PacingError, Scenario, run_seeds, simulate

SCENARIOS = Path(__file__).parents[2] / "bench" / "scenarios"


def test_every_scenario_file_parses():
    names = {p.stem: Scenario.load(p) for p in SCENARIOS.glob("*.toml")}
    assert {"agents-5", "agents-25", "agents-200", "low-contact", "high-contact", "long-talk", "short-talk",
            "drift", "list-runs-out", "staffing"} <= set(names)
    assert names["agents-200"].agents == 200
    assert names["list-runs-out"].records == 9000


def test_a_short_day_is_seeded_and_within_the_cap():
    s = Scenario.load(SCENARIOS / "agents-25.toml")
    a = simulate(s, "predictive", 3, hours=2.0)
    assert a.figures == simulate(s, "predictive", 3, hours=2.0).figures
    assert a["humans"] > 500
    assert a["abandon_rate"] <= 0.03
    assert a["occupancy_talk"] > simulate(s, "progressive", 3, hours=2.0)["occupancy_talk"]
    assert len(a["minute_talk"]) == 120
    assert sum(a["minute_abandons"]) == a["abandons"]


def test_a_list_that_runs_out_reports_when():
    s = Scenario.load(SCENARIOS / "list-runs-out.toml")
    r = simulate(s, "predictive", 1, records=2000, hours=2.0)
    assert r["attempts"] == 2000
    assert 0 < r["list_exhausted_at"] < 3600


def test_seeds_summarise_as_means_and_worst_rates():
    s = Scenario.from_figures(agents=10, hours=1.0)
    summary = run_seeds(s, "power", [1, 2], ratio=2.5)
    assert summary.abandon_rate == max(r["abandon_rate"] for r in summary.runs)
    d = summary.as_dict()
    assert d["seeds"] == [1, 2]
    assert d["occupancy_talk_and_wrap"] >= d["occupancy_talk"]


def test_a_wrong_field_is_named_with_its_line():
    text = (SCENARIOS / "agents-25.toml").read_text().replace("[talk]\nmean = 90", "[talk]\nmeen = 90")
    with pytest.raises(PacingError) as e:
        Scenario.parse(text)
    assert e.value.slug == "bad-scenario"
    assert "meen" in str(e.value)
    line = text.splitlines().index("meen = 90") + 1
    assert f"line {line}" in str(e.value)


def test_a_bad_policy_is_refused():
    with pytest.raises(PacingError) as e:
        simulate(Scenario.from_figures(agents=3, hours=0.1), "psychic")
    assert e.value.slug == "bad-config"
