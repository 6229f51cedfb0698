"""The pacing quality table of docs/pacing.md: every scenario of bench/scenarios/ under the
predictive mode and the baselines — progressive, the best fixed ratio found with hindsight
(highest talk occupancy within the cap over the day and every rolling hour, on every seed) and
the VICIdial-style adaptive drop-rate controller — over the same seeds.

Run: ``python -m bench.pacing_table [--seeds 3]`` (a few minutes); prints a Markdown table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ccengine.pacing import Scenario, Summary, run_seeds
from ccengine.pacing.plan import best_fixed_ratio

SCENARIOS = Path(__file__).parent / "scenarios"
CAP = 0.03
#: Maximum dial level of the adaptive baseline (VICIdial's default is 3; ours is generous).
ADAPT_MAX_LEVEL = 10.0


def _row(scenario: str, policy: str, s: Summary) -> str:
    ok = s.abandon_rate <= CAP and s.worst_hour_rate <= CAP
    return (f"| {scenario} | {policy} | {s.occupancy_talk:.1%} | {s.occupancy_busy:.1%} | {s.abandon_rate:.2%} | "
            f"{s.worst_hour_rate:.2%}{'' if ok else ' ✗'} | {s.mean('connects_per_agent_hour'):.1f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    seeds = list(range(1, args.seeds + 1))
    print("| scenario | policy | occupancy (talk) | occupancy (talk + wrap) | abandon, day (worst seed) "
          "| abandon, worst rolling hour | connects per agent-hour |")
    print("|---|---|---|---|---|---|---|")
    for path in sorted(SCENARIOS.glob("*.toml")):
        scenario = Scenario.load(path)
        name = path.stem
        predictive = run_seeds(scenario, "predictive", seeds, abandon_cap=CAP)
        ratio, fixed = best_fixed_ratio(scenario, seeds, CAP)
        adapt = run_seeds(scenario, "adapt", seeds, ratio=ADAPT_MAX_LEVEL, abandon_cap=CAP)
        progressive = run_seeds(scenario, "progressive", seeds)
        for policy, s in (("predictive", predictive), (f"fixed ratio {ratio:g} (hindsight)", fixed),
                          ("VICIdial-style adapt", adapt), ("progressive", progressive)):
            print(_row(name, policy, s))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
