"""The end of a demo: what happened, told three ways that must agree — the call records in the
database, the indicator engine's event log (read again from disk, as after a restart), and what
the simulated carrier and agents did — and whether anything was lost (a call without an outcome,
a contact left claimed)."""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ccengine import domain as d
from ccengine.demo._screen import percent
from ccengine.demo._world import DemoWorld
from ccengine.metrics import COLUMNS, CallReport, EventBatch, EventLog, call_report
from ccengine.sim import AgentTally, CarrierCounts
from ccengine.store import Store

__all__ = ["Summary", "summarise"]


@dataclass(frozen=True, slots=True)
class Summary:
    elapsed: float
    interrupted: bool
    outcomes: dict[str, int]
    """Call records by outcome (``open``: none yet — must be 0)."""
    contacts: dict[str, int]
    dispositions: dict[str, int]
    callbacks: dict[str, int]
    indicators: dict[str, float | None]
    """The campaign's figures from the event log."""
    carrier: CarrierCounts
    agents: AgentTally
    problems: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.problems

    @property
    def calls(self) -> int:
        return sum(self.outcomes.values())

    def lines(self) -> list[str]:
        people = self.outcomes.get("human", 0) + self.outcomes.get("abandoned", 0)
        rate = self.outcomes.get("abandoned", 0) / people if people else None
        how = "interrupted (Ctrl-C)" if self.interrupted else "done"
        out = [
            "",
            f"Summary — {how} after {self.elapsed / 60:.1f} min",
            f"  calls placed            {self.calls:,}: " + _counts(self.outcomes),
            f"  abandon rate            {percent(rate)} of {people:,} people answered (cap 3 %)",
            "  contacts                " + _counts(self.contacts),
            "  dispositions            " + (_counts(self.dispositions) or "none"),
            "  callbacks               " + (_counts(self.callbacks) or "none"),
            f"  indicator engine        attempts {_n(self.indicators['attempts'])}, people answered "
            f"{_n(self.indicators['human_answers'])}, connects {_n(self.indicators['connects'])}, abandons "
            f"{_n(self.indicators['abandons'])}, dispositions {_n(self.indicators['dispositions'])} "
            f"(positive {_n(self.indicators['positive'])}, argued {_n(self.indicators['argued'])})",
            f"  simulated carrier       {self.carrier.summary()}",
            f"  simulated agents        logged in {self.agents.logged_in}, qualified "
            f"{sum(self.agents.dispositions.values())} calls, callbacks {self.agents.callbacks_personal} personal / "
            f"{self.agents.callbacks_shared} shared, pauses {self.agents.pauses}",
        ]
        if self.problems:
            out += ["  NOT CONSISTENT:", *(f"    - {p}" for p in self.problems)]
        else:
            out.append("  consistent: every call recorded with its outcome, no contact left claimed, the indicator "
                       "engine agrees with the database")
        return out


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]) if v)


def _n(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}"


async def summarise(directory: Path, world: DemoWorld, agents: AgentTally, carrier: CarrierCounts, *,
                    interrupted: bool, elapsed: float) -> Summary:
    """Read once everything has stopped (the store file closed by the engine)."""
    campaign_id = world.campaign.id
    outcomes: collections.Counter[str] = collections.Counter()
    dispositions: collections.Counter[str] = collections.Counter()
    with Store(directory / "center.db") as store:
        after = 0
        while page := await store.calls(campaign_id, after_id=after):
            for r in page:
                outcomes[r.outcome.value if r.outcome else "open"] += 1
                if r.disposition:
                    dispositions[r.disposition] += 1
            after = page[-1].id
        contacts: collections.Counter[str] = collections.Counter()
        for lst in await store.contact_lists(campaign_id):
            contacts.update(await store.list_counts(lst.id))
        every_callback = await store.callbacks(campaign_id, states=list(d.CallbackState))
        callbacks = collections.Counter(c.state.value + ('' if c.agent_id is None else ' (personal)')
                                        for c in every_callback)
    log = EventLog(directory / "events")
    batches = list(log.batches())
    events = EventBatch({name: np.concatenate([getattr(b, name) for b in batches]) for name in COLUMNS}) \
        if batches else EventBatch.empty()
    report = call_report(events, world.tenant.tz)
    indicators = _campaign_total(report, campaign_id)
    problems = _problems(outcomes, contacts, dispositions, indicators)
    return Summary(elapsed, interrupted, dict(outcomes), dict(contacts), dict(dispositions), dict(callbacks),
                   indicators, carrier, agents, problems)


_FIELDS = ("attempts", "human_answers", "machine_answers", "connects", "abandons", "dispositions", "argued",
           "positive")


def _campaign_total(report: CallReport, campaign_id: int) -> dict[str, float | None]:
    """The campaign's figures summed over its agents (the report groups by campaign and agent)."""
    total: dict[str, float | None] = dict.fromkeys(_FIELDS, 0.0)
    for (campaign, _), cell in report.groups.items():
        if campaign == campaign_id:
            for name in _FIELDS:
                total[name] = (total[name] or 0.0) + (cell[name] or 0.0)
    return total


def _problems(outcomes: collections.Counter[str], contacts: collections.Counter[str],
              dispositions: collections.Counter[str], indicators: dict[str, float | None]) -> list[str]:
    problems = []
    if outcomes.get("open"):
        problems.append(f"{outcomes['open']} call records have no outcome")
    if contacts.get(d.ContactState.DIALING.value):
        problems.append(f"{contacts[d.ContactState.DIALING.value]} contacts are still claimed (dialing)")
    checks = {
        "attempts": sum(n for k, n in outcomes.items() if k != "open"),
        "abandons": outcomes.get("abandoned", 0),
        "connects": outcomes.get("human", 0),
        "dispositions": sum(dispositions.values()),
    }
    for name, expected in checks.items():
        if int(indicators.get(name) or 0) != expected:
            problems.append(f"indicator engine {name} {int(indicators.get(name) or 0)} ≠ database {expected}")
    return problems
