"""The simulated center end to end over loopback: the engine as `ccengine serve` runs it, the
simulated carrier, ten agents' phones and the agents working a list of a few hundred contacts
until it is worked out."""

from __future__ import annotations

import time
from pathlib import Path

import trio

from ccengine import domain as d
from ccengine.demo._center import simulated_center
from ccengine.demo._summary import summarise
from ccengine.demo._world import RETRY_DELAYS, DemoWorld
from ccengine.pacing import Scenario
from ccengine.store import Store

FAST = Scenario.load(Path(__file__).parent / "scenarios" / "fast.toml")
DO_NOT_CALL = 5


async def test_a_list_is_worked_out_and_database_indicators_and_simulator_agree(tmp_path: Path) -> None:
    barred: list[str] = []

    async def prepare(store: Store, world: DemoWorld) -> None:
        # Retries come back within the test (two attempts a contact, to keep it short); a few
        # numbers go on the do-not-call list after import.
        await store.edit_campaign(world.campaign.id, retry_delays=dict.fromkeys(RETRY_DELAYS, 2), max_attempts=2)
        (lst,) = await store.contact_lists(world.campaign.id)
        barred.extend(c.phone for c in (await store.contacts(lst.id, limit=DO_NOT_CALL)))
        await store.add_do_not_call(world.tenant.id, barred, "asked not to be called")

    started = time.monotonic()
    async with simulated_center(tmp_path, FAST, contacts=200, agents=10, seed=3, callback_after=3,
                                prepare=prepare) as c:
        most_waiting = 0
        with trio.fail_after(420):
            while not await c.worked_out():
                most_waiting = max(most_waiting, len(c.dialer.board.waiting()))
                await trio.sleep(0.25)
        world, tally, counts = c.world, c.agents.tally, c.carrier.counts
        dialled = [call.number for call in c.carrier.calls]
    summary = await summarise(tmp_path, world, tally, counts, interrupted=False, elapsed=time.monotonic() - started)
    assert summary.consistent, summary.problems  # no open call, no claimed contact, indicators = records
    # Worked out: every contact closed, except those barred (never claimed, not counted as left).
    assert summary.contacts.get(d.ContactState.PENDING.value, 0) == DO_NOT_CALL
    assert {state for state, n in summary.contacts.items() if n} == {d.ContactState.PENDING.value,
                                                                      d.ContactState.DONE.value}
    assert not set(barred) & {n.lstrip("+") for n in dialled} and not set(barred) & set(dialled)
    # The carrier saw every call the engine placed, and answered the ones recorded as answered.
    assert counts.offered == summary.calls - summary.outcomes.get("failed", 0)
    answered = sum(summary.outcomes.get(o, 0) for o in ("human", "abandoned", "machine"))
    assert counts.answered == answered
    # The agents' dispositions are the records'; callbacks were dialled when due.
    assert sum(tally.dispositions.values()) == sum(summary.dispositions.values()) > 0
    assert tally.callbacks_personal + tally.callbacks_shared > 0
    assert summary.callbacks.get("pending", 0) == summary.callbacks.get("pending (personal)", 0) == 0
    assert sum(n for state, n in summary.callbacks.items() if state.startswith("done")) >= 1
    # Under the cap, every attempt counted against its contact.
    people = summary.outcomes.get("human", 0) + summary.outcomes.get("abandoned", 0)
    assert people > 50 and summary.outcomes.get("abandoned", 0) <= 0.03 * people
    assert summary.calls <= 2 * (200 - DO_NOT_CALL)
