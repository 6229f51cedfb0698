"""The simulated call center of the demo and the benchmarks (docs/simulator.md): the draws a
live simulated run shares with the pacing simulator."""

from ccengine.sim._draws import OUTCOMES, CallFate, Draws, Outcome, Pause

__all__ = [
    "OUTCOMES",
    "CallFate",
    "Draws",
    "Outcome",
    "Pause",
]
