"""`ccengine plan`: the report, --json, plots, the agents search, --compare and inbound staffing."""

from __future__ import annotations

import json
from pathlib import Path

from ccengine.cli import main

SCENARIOS = Path(__file__).parents[2] / "bench" / "scenarios"


def test_plan_reports_a_scenario(capsys):
    assert main(["plan", str(SCENARIOS / "agents-25.toml"), "--hours", "1", "--seeds", "2"]) == 0
    out = capsys.readouterr().out
    for words in ("occupancy, talk + wrap-up", "worst rolling hour", "connects per agent-hour", "customer wait",
                  "agent idle time", "list exhausted at"):
        assert words in out


def test_plan_json_and_plots(capsys, tmp_path):
    stem = tmp_path / "day"
    args = ["plan", "--agents", "10", "--hours", "1", "--seeds", "2", "--records", "3000", "--json"]
    args += ["--plot", str(stem)]
    assert main(args) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["agents"] == 10
    assert d["seeds"] == [1, 2]
    assert 0 < d["occupancy_talk"] <= d["occupancy_talk_and_wrap"] <= 1
    assert d["abandon_rate"] <= 0.03
    assert d["plots"] == [str(stem.with_suffix(".png")), str(stem.with_suffix(".svg"))]
    assert stem.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in stem.with_suffix(".svg").read_text()


def test_plan_searches_the_agents_for_a_list(capsys):
    assert main(["plan", "--work-records", "1500", "--within", "1", "--seeds", "1", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    agents = d["agents"]
    # The search tried one agent fewer, which did not work the list in time.
    assert agents - 1 in d["tried"]
    assert d["at_agents"]["list_exhausted_at_hours"] <= 1
    assert d["at_agents"]["worst_hour_abandon_rate"] <= 0.03


def test_plan_compare_lists_every_baseline(capsys):
    assert main(["plan", "--agents", "8", "--hours", "1", "--seeds", "1", "--compare", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    names = set(d["policies"])
    assert {"predictive", "progressive", "adapt"} <= names
    assert any(n.startswith("fixed ") for n in names)


def test_plan_inbound(capsys):
    assert main(["plan", "--inbound", "--calls-per-hour", "200", "--handle", "180", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["agents"] == 14
    assert main(["plan", "--inbound", "--calls-per-hour", "200", "--patience", "60"]) == 0
    assert "Erlang A" in capsys.readouterr().out


def test_plan_errors_are_one_line(capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text((SCENARIOS / "agents-5.toml").read_text().replace("agents = 5", "agents = 5\nagnets = 3"))
    assert main(["plan", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "agnets" in err and "line 5" in err and str(bad) in err
    assert main(["plan", str(tmp_path / "missing.toml")]) == 2
    assert main(["plan", "--inbound"]) == 2
