"""The API server: hypercorn's trio server running the app inside the caller's nursery, so API
handlers share one trio run and one cancellation tree with the rest of the engine."""

from __future__ import annotations

import logging
import os
import socket

import trio
from hypercorn.config import Config
from hypercorn.trio import serve

from ccengine.api._app import create_app
from ccengine.api._services import Services


class ApiServer:
    def __init__(self, services: Services, *, host: str = "127.0.0.1", port: int = 8080,
                 sock: socket.socket | None = None, graceful_timeout_s: float = 5.0) -> None:
        """``port`` 0 picks a free port; ``run`` reports the one bound. ``sock``, instead of host
        and port: a listening socket already bound (opened before dropping privileges, or with
        its own options: accepted connections inherit its buffer sizes)."""
        self.services = services
        self.sock = sock
        self.app = create_app(services)
        self.host = host
        self.port = port
        self.graceful_timeout_s = graceful_timeout_s

    async def run(self, *, task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED) -> None:
        """Serves until cancelled; reports the bound port once listening. Cancellation shuts the
        server down: it stops accepting, gives open requests ``graceful_timeout_s``, and returns."""
        config = Config()
        if self.sock is not None:
            # hypercorn closes what it serves: give it its own descriptor, the caller keeps theirs
            config.bind = [f"fd://{os.dup(self.sock.fileno())}"]
        else:
            config.bind = [f"{self.host}:{self.port}" if ":" not in self.host else f"[{self.host}]:{self.port}"]
        config.graceful_timeout = self.graceful_timeout_s
        config.accesslog = None
        config.errorlog = logging.getLogger("ccengine.api")
        shutdown = trio.Event()

        async def serving(task_status: trio.TaskStatus[list[str]]) -> None:
            # Only the shutdown trigger stops hypercorn, so a cancelled caller still gets a
            # graceful stop (no new connections, open ones given the grace period).
            with trio.CancelScope(shield=True):
                # hypercorn types an app's scope as its own TypedDicts, starlette (under FastAPI)
                # as MutableMapping[str, Any]: the two libraries' ASGI types do not meet (arg-type).
                await serve(self.app, config, shutdown_trigger=shutdown.wait,  # type: ignore[arg-type]
                            task_status=task_status)

        async with trio.open_nursery() as nursery:
            binds: list[str] = await nursery.start(serving)
            try:
                task_status.started(int(binds[0].rsplit(":", 1)[1]))
                await trio.sleep_forever()
            finally:
                shutdown.set()
