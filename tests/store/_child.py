"""Runs store work in a child process for the crash and multi-process tests:
``python -m tests.store._child claim DB CAMPAIGN`` says it is ready, waits for a line on stdin, claims until nothing is
left and prints the ids;
``python -m tests.store._child churn DB CAMPAIGN`` claims and ends calls in batches forever,
printing the number of calls whose end is committed after each batch."""

from __future__ import annotations

import json
import os
import sys

import trio

from ccengine import domain as d
from ccengine.store import CallEnd, Store


async def claim(store: Store, campaign_id: int) -> None:
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    mine = []
    while claims := await store.claim_contacts(campaign_id, 5, d.now_us(), f"pid-{os.getpid()}"):
        mine += [c.contact.id for c in claims]
        await trio.sleep(0.002)  # as a dialer does between claims: the others get their turn
    print(json.dumps(mine), flush=True)


async def churn(store: Store, campaign_id: int) -> None:
    ended = 0
    while True:
        claims = await store.claim_contacts(campaign_id, 20, d.now_us(), "churn")
        if not claims:
            await store.recycle_list((await store.contact_lists(campaign_id))[0].id, [d.Outcome.NO_ANSWER])
            continue
        await store.end_calls([CallEnd(c.call_id, d.Outcome.NO_ANSWER, d.now_us()) for c in claims])
        ended += len(claims)
        print(ended, flush=True)


def main() -> None:
    what, path, campaign_id = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with Store(path) as store:
        trio.run({"claim": claim, "churn": churn}[what], store, campaign_id)


if __name__ == "__main__":
    main()
