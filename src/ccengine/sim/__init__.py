"""The simulated call center of the demo and the benchmarks (docs/simulator.md): a carrier that
answers the engine's calls with a pacing scenario's odds over real SIP and RTP, and the draws it
shares with the pacing simulator."""

from ccengine.sim._carrier import CallRecord, Carrier, CarrierCounts, Result
from ccengine.sim._draws import OUTCOMES, CallFate, Draws, Outcome, Pause
from ccengine.sim._voices import Clip, Voices, default_cache, make_voices

__all__ = [
    "OUTCOMES",
    "CallFate",
    "CallRecord",
    "Carrier",
    "CarrierCounts",
    "Clip",
    "Draws",
    "Outcome",
    "Pause",
    "Result",
    "Voices",
    "default_cache",
    "make_voices",
]
