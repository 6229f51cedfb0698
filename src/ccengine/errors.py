"""The exception family of ccengine. Native errors arrive here with their stable slug."""

from __future__ import annotations

__all__ = ["CCEngineError", "MetricsError", "PacingError"]


class CCEngineError(Exception):
    """Root of every error ccengine raises on purpose; ``slug`` names the rule that failed."""

    def __init__(self, message: str, slug: str) -> None:
        super().__init__(message)
        self.slug = slug

    def __reduce__(self) -> tuple[type[CCEngineError], tuple[str, str]]:
        return (type(self), (str(self), self.slug))


class MetricsError(CCEngineError, ValueError):
    """An event or query the indicator engine refused (see docs/metrics.md for the slugs)."""


class PacingError(CCEngineError, ValueError):
    """A snapshot, pacing setting or scenario the pacer refused (see docs/pacing.md for the slugs)."""
