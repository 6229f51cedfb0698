"""Simulated days of a scenario under a policy, several seeds at a time, and their summary."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ccengine import _native

POLICIES = ("predictive", "progressive", "preview", "power", "adapt")


@dataclass(frozen=True, slots=True)
class Scenario:
    """A scenario's TOML text, checked (a wrong field raises PacingError naming it and its line)."""

    text: str
    name: str
    description: str
    hours: float
    agents: int
    records: int | None

    @classmethod
    def parse(cls, text: str) -> Scenario:
        name, description, hours, agents, records = _native.check_scenario(text)
        return cls(text, name, description, hours, agents, records)

    @classmethod
    def load(cls, path: str | Path) -> Scenario:
        return cls.parse(Path(path).read_text(encoding="utf-8"))

    @classmethod
    def from_figures(
        cls, *, agents: int, hours: float = 8.0, human: float = 0.2, machine: float = 0.12, talk: float = 90.0,
        wrap: float = 20.0, records: int | None = None, name: str = "from flags",
    ) -> Scenario:
        lines = [
            f"name = {name!r}".replace("'", '"'),
            f"hours = {hours}",
            f"agents = {agents}",
            *([f"records = {records}"] if records is not None else []),
            "[outcomes]", f"human = {human}", f"machine = {machine}", "busy = 0.06", "invalid = 0.04",
            "[talk]", f"mean = {talk}", f"sd = {talk * 2 / 3}",
            "[wrap]", f"mean = {wrap}", f"sd = {wrap / 2}",
        ]
        return cls.parse("\n".join(lines) + "\n")


@dataclass(frozen=True, slots=True)
class Run:
    """One simulated day: the figures of ``_native.simulate``."""

    seed: int
    figures: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.figures[key]


def simulate(
    scenario: Scenario, policy: str = "predictive", seed: int = 1, *, ratio: float = 1.0, abandon_cap: float = 0.03,
    agents: int | None = None, records: int | None = None, hours: float | None = None,
) -> Run:
    """One day of `scenario` under `policy` (predictive, progressive, preview, power with
    `ratio`, or adapt, the VICIdial-style baseline whose `ratio` is its maximum dial level)."""
    figures = _native.simulate(
        scenario.text, policy, seed, ratio=ratio, abandon_cap=abandon_cap, agents=agents, records=records, hours=hours,
    )
    return Run(seed, figures)


@dataclass(frozen=True, slots=True)
class Summary:
    """Several seeds of one scenario and policy: means, and the worst abandon figures."""

    policy: str
    runs: tuple[Run, ...]

    def mean(self, key: str) -> float:
        return statistics.fmean(float(r[key]) for r in self.runs)

    @property
    def occupancy_talk(self) -> float:
        return self.mean("occupancy_talk")

    @property
    def occupancy_busy(self) -> float:
        return self.mean("occupancy_busy")

    @property
    def abandon_rate(self) -> float:
        """The worst seed's abandon rate over the day."""
        return max(float(r["abandon_rate"]) for r in self.runs)

    @property
    def worst_hour_rate(self) -> float:
        """The worst rolling hour over all seeds."""
        return max(float(r["worst_hour_rate"]) for r in self.runs)

    @property
    def list_exhausted_at(self) -> float | None:
        times = [r["list_exhausted_at"] for r in self.runs]
        return None if any(t is None for t in times) else statistics.fmean(times)

    def as_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "seeds": [r.seed for r in self.runs],
            "occupancy_talk": self.occupancy_talk,
            "occupancy_talk_and_wrap": self.occupancy_busy,
            "abandon_rate": self.abandon_rate,
            "worst_hour_abandon_rate": self.worst_hour_rate,
            "connects_per_agent_hour": self.mean("connects_per_agent_hour"),
            "customer_wait_seconds": self.mean("mean_wait"),
            "agent_idle_share": self.mean("idle_share"),
            "list_exhausted_at_hours": None if self.list_exhausted_at is None else self.list_exhausted_at / 3600,
            "connects": self.mean("connects"),
            "abandons": self.mean("abandons"),
            "human_answers": self.mean("humans"),
            "attempts": self.mean("attempts"),
        }


def run_seeds(
    scenario: Scenario, policy: str, seeds: Sequence[int], *, progress: Callable[[], None] | None = None,
    **options: Any,
) -> Summary:
    runs = []
    for seed in seeds:
        runs.append(simulate(scenario, policy, seed, **options))
        if progress is not None:
            progress()
    return Summary(policy, tuple(runs))
