"""Dial pacing (preview, progressive, power, predictive under an abandon cap), the outbound
traffic simulator, and the staffing calculators behind ``ccengine plan`` (docs/pacing.md)."""

from ccengine.errors import PacingError
from ccengine.pacing._erlang import (
    Staffing,
    agents_needed,
    erlang_a_staffing,
    erlang_b,
    erlang_c,
    erlang_c_staffing,
)
from ccengine.pacing._pacer import MODES, WINDOWS, Counts, Decision, Pacer, Snapshot
from ccengine.pacing._simulate import POLICIES, Run, Scenario, Summary, run_seeds, simulate

__all__ = [
    "MODES",
    "POLICIES",
    "WINDOWS",
    "Counts",
    "Decision",
    "Pacer",
    "PacingError",
    "Run",
    "Scenario",
    "Snapshot",
    "Staffing",
    "Summary",
    "agents_needed",
    "erlang_a_staffing",
    "erlang_b",
    "erlang_c",
    "erlang_c_staffing",
    "run_seeds",
    "simulate",
]
