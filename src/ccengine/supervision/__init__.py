"""Live supervision (seed 001): listen (one call or following the agent), whisper, barge, takeover
(with or without the agent listening) through the supervisor's own phone, every step in the audit
log (docs/supervision.md)."""

from ccengine.supervision._service import Supervising, Supervision

__all__ = ["Supervising", "Supervision"]
