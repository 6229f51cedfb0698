"""The server inside a caller's nursery: the bound port reported, cancellation stops it cleanly."""

from __future__ import annotations

import httpx
import trio
from trio_websocket import open_websocket_url

from ccengine.api import ApiServer
from tests.api.conftest import Api


async def test_cancelling_the_caller_stops_the_server(api: Api) -> None:
    server = ApiServer(api.services, port=0, graceful_timeout_s=0.2)
    token = api.tenants[0].tokens["admin"]
    with trio.fail_after(5):
        async with trio.open_nursery() as nursery:
            port = await nursery.start(server.run)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                assert (await client.get("/api/me", headers=api.auth(token))).status_code == 200
            # an open live stream does not keep the server from stopping
            async with open_websocket_url(f"ws://127.0.0.1:{port}/api/live?token={token}") as ws:
                await ws.get_message()
                nursery.cancel_scope.cancel()
    async with httpx.AsyncClient() as client:
        try:
            await client.get(f"http://127.0.0.1:{port}/api/me")
        except httpx.ConnectError:
            return
    raise AssertionError("the server still answers after its nursery was cancelled")
