"""Services that must outlive the ones using them. Cancelling a nursery cancels all its tasks at
once; when some services feed or drive others (the dialer sends events to the indicator engine
and hangs up calls through the SIP engine), those must stop first, while the ones they use still
run. ``Outliving`` starts such lasting services shielded from the enclosing cancellation; the
caller stops them, last started first, once their users are done."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import trio

__all__ = ["Outliving"]


class Outliving:
    def __init__(self) -> None:
        self._scopes: list[trio.CancelScope] = []

    async def start(self, nursery: trio.Nursery, run: Callable[..., Awaitable[None]]) -> Any:
        """``nursery.start(run)``, shielded until ``stop``; returns what ``run`` reported."""
        scope = trio.CancelScope(shield=True)
        self._scopes.append(scope)

        async def lasting(*, task_status: trio.TaskStatus[Any]) -> None:
            with scope:
                await run(task_status=task_status)

        return await nursery.start(lasting)

    def stop(self) -> None:
        for scope in reversed(self._scopes):
            scope.cancel()
