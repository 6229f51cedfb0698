"""Time zones of phone numbers: libphonenumber's prefix-to-zone map (as shipped by the
``phonenumbers`` package), loaded once into the native reader's table."""

from __future__ import annotations

import functools

from phonenumbers import tzdata

from ccengine._native import ZoneTable


@functools.cache
def zone_table() -> ZoneTable:
    """Prefix (country code and leading digits) -> zones, several joined by ``&``."""
    return ZoneTable((prefix, "&".join(zones)) for prefix, zones in tzdata.TIMEZONE_DATA.items())
