"""Time zones from the tz database bundled in the native library, so Python and the engine
cut periods from the very same rules."""

from __future__ import annotations

import functools
import io
import zoneinfo

from ccengine import _native

TZDB_VERSION: str | None = _native.TZDB_VERSION


@functools.lru_cache(maxsize=64)
def zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone ``name`` built from the engine's TZif bytes (not the system's database)."""
    canonical, data = _native.tzif(name)
    return zoneinfo.ZoneInfo.from_file(io.BytesIO(data), key=canonical)
