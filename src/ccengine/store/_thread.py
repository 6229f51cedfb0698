"""One dedicated thread that owns a database connection and runs work for trio tasks.

Why not ``trio.to_thread.run_sync`` per query: each hop costs far more than a small SQLite query
(docs/performance.md, "Store driver"), so callers hand the thread whole units of work — a claim of
N contacts, a batch of call updates — and one thread keeps the connection, its prepared
statements and its page cache hot. Requests run one after the other in arrival order, which is
also what serialises writers inside one process.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import outcome
import trio

T = TypeVar("T")

_STOP = object()


class WorkerThread:
    def __init__(self, name: str, setup: Callable[[], Any], teardown: Callable[[Any], None]) -> None:
        """``setup`` runs first on the thread and returns the resource every job receives (the
        connection); ``teardown`` closes it when the thread stops."""
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._ready = threading.Event()
        self._setup_error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, args=(setup, teardown), name=name, daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._setup_error is not None:
            self._thread.join()
            raise self._setup_error

    def _main(self, setup: Callable[[], Any], teardown: Callable[[Any], None]) -> None:
        try:
            resource = setup()
        except BaseException as e:  # handed to the opener, raised there
            self._setup_error = e
            self._ready.set()
            return
        self._ready.set()
        try:
            while (job := self._jobs.get()) is not _STOP:
                function, args, deliver = job
                deliver(outcome.capture(function, resource, *args))
        finally:
            teardown(resource)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Runs ``function(resource, *args)`` on the thread and returns its result (or raises).

        Once handed over, a job is not abandoned: cancellation takes effect when it is done, so
        a caller never walks away from a transaction whose outcome it does not know."""
        await trio.lowlevel.checkpoint_if_cancelled()
        if not self._thread.is_alive():
            raise RuntimeError("the store is closed")
        task = trio.lowlevel.current_task()
        token = trio.lowlevel.current_trio_token()

        def deliver(result: outcome.Outcome[T]) -> None:
            token.run_sync_soon(trio.lowlevel.reschedule, task, result)

        self._jobs.put((function, args, deliver))
        result: T = await trio.lowlevel.wait_task_rescheduled(lambda _: trio.lowlevel.Abort.FAILED)
        return result

    def stop(self) -> None:
        """Finishes the queued jobs, closes the resource and joins the thread."""
        if self._thread.is_alive():
            self._jobs.put(_STOP)
            self._thread.join()
