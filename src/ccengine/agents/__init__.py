"""Agents: the state machine (sans IO) and the service that runs it against the store and feeds
the indicator engine (docs/data-model.md, "Agents")."""

from ccengine.agents._machine import ALLOWED, PAUSE_REASONS, Action, Request, Transition, accumulate, apply
from ccengine.agents._service import AgentDetails, AgentService

__all__ = ["ALLOWED", "PAUSE_REASONS", "Action", "AgentDetails", "AgentService", "Request", "Transition",
           "accumulate", "apply"]
