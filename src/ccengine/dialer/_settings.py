"""The ``[dialer]`` table of the engine's configuration: how campaigns' calls are placed, until
campaign records carry these settings themselves.

```toml
[dialer]
trunk = "carrier"                 # the [[sip.trunk]] calls go out through
abandon_prompt = "abandon.wav"    # played to a person no agent took in time (8 or 16 kHz mono WAV)
machine_message = "message.wav"   # left on machines under the `message` rule (optional)
ring_timeout = 25                 # seconds a call may ring
wrapup_max = 60                   # seconds of wrap-up before an agent is made available anyway
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ccengine.dialer._campaign import Dialling
from ccengine.errors import DomainError

__all__ = ["dialling_from_table"]

_KNOWN = {"trunk", "abandon_prompt", "machine_message", "ring_timeout", "wrapup_max"}


def dialling_from_table(table: dict[str, Any], base: Path) -> Dialling:
    """Relative paths are taken from ``base`` (the configuration file's directory); the prompts
    must exist (a missing one would only show on the first abandon)."""
    unknown = set(table) - _KNOWN
    if unknown:
        raise DomainError(f"unknown [dialer] settings: {', '.join(sorted(unknown))}", "bad-config")
    for name in ("trunk", "abandon_prompt"):
        if not isinstance(table.get(name), str) or not table[name]:
            raise DomainError(f"[dialer] {name} is required", "bad-config")

    def prompt(name: str) -> Path | None:
        if name not in table:
            return None
        path = base / str(table[name])
        if not path.is_file():
            raise DomainError(f"[dialer] {name}: no such file {path}", "bad-config")
        return path

    abandon = prompt("abandon_prompt")
    assert abandon is not None
    try:
        ring_timeout = float(table.get("ring_timeout", 25.0))
        wrapup_max = float(table.get("wrapup_max", 60.0))
    except (TypeError, ValueError) as err:
        raise DomainError(f"[dialer] ring_timeout and wrapup_max are seconds: {err}", "bad-config") from err
    if ring_timeout <= 0 or wrapup_max <= 0:
        raise DomainError("[dialer] ring_timeout and wrapup_max must be positive", "bad-config")
    return Dialling(trunk=table["trunk"], abandon_prompt=abandon, ring_timeout=ring_timeout, wrapup_s=wrapup_max,
                    machine_message=prompt("machine_message"))
