"""`ccengine demo`, the main job, end to end on a small day."""

from __future__ import annotations

from ccengine import cli


def test_demo_prints_the_dashboard(capsys):
    assert cli.main(["demo", "--events", "60000", "--agents", "30", "--campaigns", "3", "--at", "11:00"]) == 0
    out = capsys.readouterr().out
    assert "Agents connected" in out and "Argued calls" in out and "Abandon rate" in out
    line = next(line for line in out.splitlines() if "Agents connected" in line)
    assert 0 < int(line.split()[-1]) <= 30


def test_demo_reports_bad_arguments(capsys):
    assert cli.main(["demo", "--tz", "Mars/Olympus"]) == 2
    assert "unknown" in capsys.readouterr().err
