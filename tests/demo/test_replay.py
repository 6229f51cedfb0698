"""`ccengine replay` (the indicator engine at scale) end to end on a small day; refused input."""

from __future__ import annotations

from ccengine import cli


def test_replay_prints_the_dashboard(capsys):
    assert cli.main(["replay", "--events", "60000", "--agents", "30", "--campaigns", "3", "--at", "11:00"]) == 0
    out = capsys.readouterr().out
    assert "Agents connected" in out and "Argued calls" in out and "Abandon rate" in out
    line = next(line for line in out.splitlines() if "Agents connected" in line)
    assert 0 < int(line.split()[-1]) <= 30


def test_replay_reports_bad_arguments(capsys):
    assert cli.main(["replay", "--tz", "Mars/Olympus"]) == 2
    assert "unknown" in capsys.readouterr().err
