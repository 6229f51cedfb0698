"""The exception family of ccengine. Native errors arrive here with their stable slug."""

from __future__ import annotations

__all__ = [
    "AgentStateError",
    "CCEngineError",
    "Conflict",
    "ContactsError",
    "DomainError",
    "MediaError",
    "MetricsError",
    "NotFound",
    "PacingError",
    "StoreError",
    "TelephonyError",
]


class CCEngineError(Exception):
    """Root of every error ccengine raises on purpose; ``slug`` names the rule that failed."""

    def __init__(self, message: str, slug: str) -> None:
        super().__init__(message)
        self.slug = slug

    def __reduce__(self) -> tuple[type[CCEngineError], tuple[object, ...]]:
        return (type(self), (str(self), self.slug))


class MetricsError(CCEngineError, ValueError):
    """An event or query the indicator engine refused (see docs/metrics.md for the slugs)."""


class DomainError(CCEngineError, ValueError):
    """A value or an operation the domain rules refuse (invalid transition, bad campaign …)."""


class NotFound(CCEngineError, LookupError):
    """A campaign, list, contact, agent … that does not exist (slug ``not-found``)."""

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"no {what} {key!r}", "not-found")
        self.what = what
        self.key = key

    def __reduce__(self) -> tuple[type[NotFound], tuple[str, object]]:
        return (type(self), (self.what, self.key))


class Conflict(CCEngineError, ValueError):
    """An operation that clashes with what is stored (a duplicate name, a stale claim …)."""


class AgentStateError(DomainError):
    """An agent action not allowed from the agent's current state (slug ``invalid-transition``)."""


class StoreError(CCEngineError, RuntimeError):
    """The store cannot do what was asked (a schema too new, a closed store, a corrupt file)."""


class PacingError(CCEngineError, ValueError):
    """A snapshot, pacing setting or scenario the pacer refused (see docs/pacing.md for the slugs)."""


class ContactsError(CCEngineError, ValueError):
    """A contact file refused as a whole (``file-empty``, ``file-binary``, ``file-header-only``,
    ``file-undecodable``, ``phone-column-not-found``, ``unknown-region``, ``io`` …), or a single
    number refused by ``normalize_phone`` (the row reasons: ``phone-characters`` …)."""


class MediaError(CCEngineError, ValueError):
    """A media engine call refused (``unknown-id``, ``leg-in-room``, ``unsupported-codec``,
    ``bad-audio``, ``bad-setting``, ``io``, ``stopped``; see docs/media.md)."""


class TelephonyError(CCEngineError, ValueError):
    """A SIP configuration, command or address the telephony core refused (``bad-config``,
    ``bind-failed``, ``unknown-leg``, ``unknown-trunk``, ``wrong-state``, ``bad-target`` …;
    docs/sip.md lists them)."""
