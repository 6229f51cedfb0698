"""Login attempts, limited per account and per address: failures within a sliding window.

Kept in memory: limits are per engine process (a restart forgets them), which is what a single
engine needs; several nodes would keep them in the shared store."""

from __future__ import annotations

import collections
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

#: Accounts and addresses tracked before stale ones are swept.
MAX_KEYS = 100_000


@dataclass(frozen=True, slots=True)
class LoginLimits:
    per_account: int = 5
    per_address: int = 20
    window_s: float = 300.0


class LoginLimiter:
    def __init__(self, limits: LoginLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._failures: dict[tuple[str, str], collections.deque[float]] = {}

    def retry_after(self, account: str, address: str) -> int | None:
        """Seconds to wait before trying again, or None when an attempt may go ahead."""
        now = self._clock()
        waits = [self._wait(("account", account), self.limits.per_account, now),
                 self._wait(("address", address), self.limits.per_address, now)]
        worst = max((w for w in waits if w is not None), default=None)
        return None if worst is None else max(1, math.ceil(worst))

    def failed(self, account: str, address: str) -> None:
        now = self._clock()
        if len(self._failures) >= MAX_KEYS:  # many logins or addresses: forget the stale ones
            for key in [k for k, times in self._failures.items() if times[-1] <= now - self.limits.window_s]:
                del self._failures[key]
        for key in (("account", account), ("address", address)):
            self._failures.setdefault(key, collections.deque()).append(now)

    def succeeded(self, account: str) -> None:
        self._failures.pop(("account", account), None)

    def _wait(self, key: tuple[str, str], limit: int, now: float) -> float | None:
        failures = self._failures.get(key)
        if not failures:
            return None
        while failures and failures[0] <= now - self.limits.window_s:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return None
        if len(failures) < limit:
            return None
        return failures[-limit] + self.limits.window_s - now
