"""Erlang C against published figures, and Erlang A against its limits."""

from __future__ import annotations

import pytest

from ccengine.pacing import PacingError, agents_needed, erlang_a_staffing, erlang_c, erlang_c_staffing


def test_erlang_c_matches_the_published_worked_example():
    # Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example": 100 calls
    # per 30 minutes, 180 s handling (10 erlangs), 80% answered in 20 s. Its table: 13 agents
    # give a 28.5% chance of waiting and 79.6% service level, 14 agents 17.4% and 88.8%: 14 are needed.
    assert erlang_c(13, 10.0) == pytest.approx(0.2853, abs=1e-4)
    assert erlang_c(14, 10.0) == pytest.approx(0.1741, abs=1e-4)
    assert erlang_c_staffing(13, 200, 180, 20).service_level == pytest.approx(0.796, abs=1e-3)
    assert erlang_c_staffing(14, 200, 180, 20).service_level == pytest.approx(0.888, abs=1e-3)
    assert agents_needed(200, 180, 20, 0.8).agents == 14


def test_erlang_c_curve_values():
    # Textbook Erlang C curve reading: 120 customers per hour, 3 minutes each (6 erlangs) on 10
    # servers wait with probability "about 0.10" (exact 0.1013).
    assert erlang_c(10, 6.0) == pytest.approx(0.1013, abs=1e-4)
    # Wolfram Language ErlangC documentation, Applications: 30 calls/h, 5 min each, 90% not
    # delayed needs 6 agents.
    assert erlang_c(5, 2.5) > 0.1 > erlang_c(6, 2.5)
    assert erlang_c(3, 3.0) == 1.0  # the agents cannot keep up


def test_erlang_a_tends_to_erlang_c_when_callers_are_patient():
    c = erlang_c_staffing(14, 200, 180, 20)
    a = erlang_a_staffing(14, 200, 180, 20, patience_seconds=1e6)
    assert a.wait_probability == pytest.approx(c.wait_probability, rel=1e-3)
    assert a.service_level == pytest.approx(c.service_level, abs=2e-3)
    assert a.abandon_rate < 1e-4


def test_abandonment_shortens_queues_so_erlang_a_needs_fewer_agents():
    impatient = agents_needed(200, 180, 20, 0.8, patience_seconds=60)
    assert impatient.agents < agents_needed(200, 180, 20, 0.8).agents
    assert 0 < impatient.abandon_rate < 0.2
    assert impatient.service_level >= 0.8


def test_bad_targets_are_refused():
    with pytest.raises(PacingError) as e:
        agents_needed(200, 180, 20, 1.5)
    assert e.value.slug == "bad-config"
    with pytest.raises(PacingError):
        agents_needed(-1, 180, 20, 0.8)
