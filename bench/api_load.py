"""The load side of bench/test_api.py, run in its own process so its CPU is not the server's.

``python -m bench.api_load reads URL TOKEN CONCURRENCY REQUESTS PATH...`` prints, as JSON, the
latency in milliseconds of every request per path (each of CONCURRENCY tasks sends REQUESTS
requests one after the other, cycling through the paths, on keep-alive connections).

``python -m bench.api_load fanout URL TOKEN SUBSCRIBERS CHANGES`` opens SUBSCRIBERS live streams,
prints ``ready`` once all are open, then prints, as JSON, each agent message's delivery delay in
milliseconds (receipt minus the change's moment, ``since``) once every subscriber got CHANGES.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time

import httpx
import trio
from trio_websocket import open_websocket_url


async def reads(url: str, token: str, concurrency: int, requests: int, paths: list[str]) -> None:
    latencies: dict[str, list[float]] = {p: [] for p in paths}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}, limits=limits,
                                 timeout=30) as client:
        for path in paths:  # warm up: connections, caches
            (await client.get(path)).raise_for_status()

        async def worker(k: int) -> None:
            for i in range(requests):
                path = paths[(k + i) % len(paths)]
                started = time.perf_counter()
                response = await client.get(path)
                latencies[path].append((time.perf_counter() - started) * 1000)
                response.raise_for_status()

        async with trio.open_nursery() as nursery:
            for k in range(concurrency):
                nursery.start_soon(worker, k)
    print(json.dumps(latencies))


async def fanout(url: str, token: str, subscribers: int, changes: int) -> None:
    delays: list[float] = []
    opened = 0
    everyone = trio.Event()
    gate = trio.Semaphore(32)  # opening handshakes at a time (the server's listen backlog is finite)

    async def subscriber() -> None:
        nonlocal opened
        async with gate:
            ws_cm = open_websocket_url(f"{url.replace('http', 'ws')}/api/live?token={token}")
            ws = await ws_cm.__aenter__()
        try:
            await ws.get_message()  # hello
            opened += 1
            if opened == subscribers:
                everyone.set()
            got = 0
            while got < changes:
                message = json.loads(await ws.get_message())
                if message["type"] == "agent":
                    since = dt.datetime.fromisoformat(message["since"]).timestamp()
                    delays.append((time.time() - since) * 1000)
                    got += 1
        finally:
            await ws_cm.__aexit__(None, None, None)

    async with trio.open_nursery() as nursery:
        for _ in range(subscribers):
            nursery.start_soon(subscriber)
        await everyone.wait()
        print("ready", flush=True)
    print(json.dumps(delays), flush=True)


def main(argv: list[str]) -> None:
    mode, url, token = argv[:3]
    if mode == "reads":
        trio.run(reads, url, token, int(argv[3]), int(argv[4]), argv[5:])
    else:
        trio.run(fanout, url, token, int(argv[3]), int(argv[4]))


if __name__ == "__main__":
    main(sys.argv[1:])
