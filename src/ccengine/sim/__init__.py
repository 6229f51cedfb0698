"""The simulated call center of the demo and the benchmarks (docs/simulator.md): a carrier that
answers the engine's calls with a pacing scenario's odds over real SIP and RTP, the draws it
shares with the pacing simulator, the agents' softphones (a phone bank registering with the
engine) and the agents' behaviour (logging in, qualifying calls, callbacks, pauses)."""

from ccengine.sim._agents import AgentTally, Desk, SimulatedAgents
from ccengine.sim._carrier import CallRecord, Carrier, CarrierCounts, Result
from ccengine.sim._draws import OUTCOMES, CallFate, Draws, Outcome, Pause
from ccengine.sim._phones import Account, PhoneBank
from ccengine.sim._voices import Clip, Voices, default_cache, make_voices, spoken

__all__ = [
    "OUTCOMES",
    "Account",
    "AgentTally",
    "CallFate",
    "CallRecord",
    "Carrier",
    "CarrierCounts",
    "Clip",
    "Desk",
    "Draws",
    "Outcome",
    "Pause",
    "PhoneBank",
    "Result",
    "SimulatedAgents",
    "Voices",
    "default_cache",
    "make_voices",
    "spoken",
]
