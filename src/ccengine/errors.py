"""The exception family of ccengine. Native errors arrive here with their stable slug."""

from __future__ import annotations

__all__ = ["CCEngineError", "ContactsError", "MetricsError"]


class CCEngineError(Exception):
    """Root of every error ccengine raises on purpose; ``slug`` names the rule that failed."""

    def __init__(self, message: str, slug: str) -> None:
        super().__init__(message)
        self.slug = slug

    def __reduce__(self) -> tuple[type[CCEngineError], tuple[str, str]]:
        return (type(self), (str(self), self.slug))


class MetricsError(CCEngineError, ValueError):
    """An event or query the indicator engine refused (see docs/metrics.md for the slugs)."""


class ContactsError(CCEngineError, ValueError):
    """A contact file refused as a whole (``file-empty``, ``file-binary``, ``file-header-only``,
    ``file-undecodable``, ``phone-column-not-found``, ``unknown-region``, ``io`` …), or a single
    number refused by ``normalize_phone`` (the row reasons: ``phone-characters`` …)."""
