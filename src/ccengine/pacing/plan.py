"""`ccengine plan`: capacity planning with the traffic simulator and the Erlang calculators.

Outbound: several seeded days of a scenario (a TOML file, or figures given as flags) under a
policy, reported as occupancy, abandon rates, connects per agent-hour, waits, idle time and
list exhaustion; ``--work-records N --within H`` searches the fewest agents who dial a list of
N records in H hours under the cap; ``--compare`` puts every policy side by side.
Inbound: ``--inbound`` gives the agents an Erlang C (or, with ``--patience``, Erlang A) model
needs for a service level.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ccengine.errors import PacingError
from ccengine.pacing._erlang import agents_needed
from ccengine.pacing._plot import plot_day
from ccengine.pacing._progress import Progress
from ccengine.pacing._simulate import POLICIES, Scenario, Summary, run_seeds


def register(commands: Any) -> None:
    p = commands.add_parser("plan", help="capacity planning: simulate a campaign, size a team, staff inbound queues")
    p.add_argument("scenario", nargs="?", help="scenario TOML file (see bench/scenarios/); else built from the flags")
    p.add_argument("--agents", type=int, help="agents (overrides the scenario)")
    p.add_argument("--hours", type=float, help="length of the day in hours (overrides the scenario)")
    p.add_argument("--records", type=int, help="records in the list (overrides the scenario)")
    p.add_argument("--human", type=float, default=0.2, help="share of calls a person answers (flags only)")
    p.add_argument("--talk", type=float, default=90.0, help="mean talk seconds (flags only)")
    p.add_argument("--wrap", type=float, default=20.0, help="mean wrap-up seconds (flags only)")
    p.add_argument("--policy", choices=POLICIES, default="predictive")
    p.add_argument("--ratio", type=float, default=2.0, help="calls per idle agent (power), max dial level (adapt)")
    p.add_argument("--cap", type=float, default=0.03, help="abandon cap, share of human answers (default 0.03)")
    p.add_argument("--seeds", type=int, default=3, help="simulated days per figure (default 3)")
    p.add_argument("--seed", type=int, default=1, help="first seed")
    p.add_argument("--work-records", type=int, metavar="N", help="search the fewest agents dialling N records ...")
    p.add_argument("--within", type=float, metavar="H", help="... within H hours under the cap")
    p.add_argument("--compare", action="store_true", help="every policy side by side, with the best fixed ratio")
    p.add_argument("--plot", metavar="STEM", help="write STEM.png and STEM.svg: occupancy and abandon rate by hour")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--progress", action="store_true", help="show the progress bar even when not on a terminal")
    p.add_argument("--inbound", action="store_true", help="inbound staffing (Erlang C / Erlang A) instead")
    p.add_argument("--calls-per-hour", type=float, help="inbound: offered calls per hour")
    p.add_argument("--handle", type=float, default=180.0, help="inbound: mean handling seconds (default 180)")
    p.add_argument("--answer-within", type=float, default=20.0, help="inbound: service-level seconds (default 20)")
    p.add_argument("--service-level", type=float, default=0.8, help="inbound: share answered in time (default 0.8)")
    p.add_argument("--patience", type=float, help="inbound: mean caller patience in seconds (Erlang A)")
    p.set_defaults(run=run)


def _scenario(args: argparse.Namespace) -> Scenario:
    if args.scenario:
        path = Path(args.scenario)
        if not path.is_file():
            raise PacingError(f"no scenario file {path}", "bad-scenario")
        try:
            return Scenario.load(path)
        except PacingError as e:
            raise PacingError(f"{path}: {e}", e.slug) from None
    return Scenario.from_figures(
        agents=args.agents or 25, hours=args.hours or 8.0, human=args.human, talk=args.talk, wrap=args.wrap,
        records=args.records,
    )


def _percent(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.2f} %"


def _print_summary(scenario: Scenario, agents: int, s: Summary, cap: float) -> None:
    d = s.as_dict()
    print(f"{scenario.name}: {agents} agents, {d['policy']}, seeds {d['seeds']}")
    within = d["abandon_rate"] <= cap and d["worst_hour_abandon_rate"] <= cap
    rows = [
        ("occupancy, talk", _percent(d["occupancy_talk"])),
        ("occupancy, talk + wrap-up", _percent(d["occupancy_talk_and_wrap"])),
        ("abandon rate, day (worst seed)", _percent(d["abandon_rate"])),
        ("abandon rate, worst rolling hour", _percent(d["worst_hour_abandon_rate"])),
        ("within the cap", f"{'yes' if within else 'NO'} ({cap:.1%})"),
        ("connects per agent-hour", f"{d['connects_per_agent_hour']:.1f}"),
        ("customer wait (connected)", f"{d['customer_wait_seconds']:.2f} s"),
        ("agent idle time", _percent(d["agent_idle_share"])),
        ("list exhausted at", "not exhausted" if d["list_exhausted_at_hours"] is None
         else f"{d['list_exhausted_at_hours']:.2f} h"),
        ("calls, people, connects, abandons", f"{d['attempts']:,.0f}, {d['human_answers']:,.0f}, "
         f"{d['connects']:,.0f}, {d['abandons']:,.0f} (mean per day)"),
    ]
    for label, value in rows:
        print(f"  {label:<36} {value}")


def _inbound(args: argparse.Namespace) -> int:
    if args.calls_per_hour is None:
        raise PacingError("--inbound needs --calls-per-hour", "bad-config")
    s = agents_needed(args.calls_per_hour, args.handle, args.answer_within, args.service_level, args.patience)
    model = "Erlang A" if args.patience is not None else "Erlang C"
    out = {"model": model, "calls_per_hour": args.calls_per_hour, "handle_seconds": args.handle,
           "answer_within_seconds": args.answer_within, "service_level_target": args.service_level,
           "patience_seconds": args.patience, "agents": s.agents, "service_level": s.service_level,
           "wait_probability": s.wait_probability, "mean_wait_seconds": s.mean_wait,
           "abandon_rate": s.abandon_rate, "occupancy": s.occupancy}
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(f"{model}: {s.agents} agents answer {s.service_level:.1%} of {args.calls_per_hour:g} calls/h "
              f"within {args.answer_within:g} s (target {args.service_level:.0%}); "
              f"{s.wait_probability:.1%} wait, mean wait {s.mean_wait:.1f} s, "
              f"abandons {s.abandon_rate:.1%}, occupancy {s.occupancy:.1%}")
    return 0


def _seeds(args: argparse.Namespace) -> list[int]:
    if args.seeds < 1:
        raise PacingError("--seeds must be at least 1", "bad-config")
    return list(range(args.seed, args.seed + args.seeds))


def best_fixed_ratio(scenario: Scenario, seeds: list[int], cap: float, progress: Progress | None = None,
                     **over: Any) -> tuple[float, Summary]:
    """The power ratio (steps of 0.25) with the highest talk occupancy whose abandon rate stays
    within the cap over the day and every rolling hour, on every seed: found with hindsight."""
    best: tuple[float, Summary] | None = None
    ratio = 1.0
    while ratio <= 20:
        s = run_seeds(scenario, "power", seeds, ratio=ratio, abandon_cap=cap, **over)
        if progress is not None:
            progress()
        if s.abandon_rate <= cap and s.worst_hour_rate <= cap:
            if best is None or s.occupancy_talk > best[1].occupancy_talk:
                best = (ratio, s)
        elif best is not None and ratio > best[0] + 0.75:
            break
        ratio += 0.25
    assert best is not None  # ratio 1 is progressive: it never abandons
    return best


def _search(args: argparse.Namespace, scenario: Scenario, seeds: list[int]) -> dict[str, Any]:
    if args.within is None:
        raise PacingError("--work-records needs --within HOURS", "bad-config")
    records, hours = args.work_records, args.within
    if records < 1 or hours <= 0:
        raise PacingError("--work-records and --within must be positive", "bad-config")
    progress = Progress(12 * len(seeds), "searching", force=args.progress)
    tried: dict[int, Summary] = {}

    def works(agents: int) -> bool:
        s = run_seeds(scenario, args.policy, seeds, ratio=args.ratio, abandon_cap=args.cap, agents=agents,
                      records=records, hours=hours, progress=progress)
        tried[agents] = s
        exhausted = all(r["list_exhausted_at"] is not None for r in s.runs)
        return exhausted and s.abandon_rate <= args.cap and s.worst_hour_rate <= args.cap

    lo, hi = 0, 1
    while not works(hi):
        lo, hi = hi, hi * 2
        if hi > 4096:
            raise PacingError(f"even 4096 agents do not work {records} records in {hours} h", "bad-config")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if works(mid):
            hi = mid
        else:
            lo = mid
    progress.done = progress.total - 1
    progress()
    return {"records": records, "hours": hours, "agents": hi, "at_agents": tried[hi].as_dict(),
            "tried": sorted(tried)}


def run(args: argparse.Namespace) -> int:
    if args.inbound:
        return _inbound(args)
    scenario = _scenario(args)
    seeds = _seeds(args)
    agents = args.agents or scenario.agents
    over = {"agents": args.agents, "records": args.records, "hours": args.hours}
    if args.work_records is not None:
        found = _search(args, scenario, seeds)
        if args.json:
            print(json.dumps(found, indent=2))
        else:
            print(f"{found['agents']} agents dial {found['records']:,} records within {found['hours']:g} h under the "
                  f"{args.cap:.1%} cap ({args.policy}, {len(seeds)} seeds; tried {found['tried']})")
        return 0
    if args.compare:
        progress = Progress(4 * len(seeds) + 30, "comparing", force=args.progress)
        results = {p: run_seeds(scenario, p, seeds, ratio=10.0 if p == "adapt" else args.ratio, abandon_cap=args.cap,
                                progress=progress, **over) for p in ("predictive", "progressive", "adapt")}
        ratio, fixed = best_fixed_ratio(scenario, seeds, args.cap, progress, **over)
        progress.done = progress.total - 1
        progress()
        rows = {**results, f"fixed {ratio:g}": fixed}
        if args.json:
            print(json.dumps({"scenario": scenario.name, "agents": agents, "cap": args.cap,
                              "policies": {k: v.as_dict() for k, v in rows.items()}}, indent=2))
        else:
            print(f"{scenario.name}: {agents} agents, {len(seeds)} seeds, cap {args.cap:.1%}")
            print(f"  {'policy':<14} {'occupancy':>10} {'abandon':>9} {'worst hour':>11} {'connects/agent-h':>17}")
            for name, s in rows.items():
                print(f"  {name:<14} {_percent(s.occupancy_talk):>10} {_percent(s.abandon_rate):>9} "
                      f"{_percent(s.worst_hour_rate):>11} {s.mean('connects_per_agent_hour'):>17.1f}")
        return 0
    progress = Progress(len(seeds), "simulating", force=args.progress)
    summary = run_seeds(scenario, args.policy, seeds, ratio=args.ratio, abandon_cap=args.cap, progress=progress,
                        **over)
    plots: list[str] = []
    if args.plot:
        title = f"{scenario.name}: {agents} agents, {args.policy}, {len(seeds)} seeds"
        plots = [str(p) for p in plot_day(summary, title, args.cap, Path(args.plot))]
    if args.json:
        print(json.dumps({"scenario": scenario.name, "agents": agents, "cap": args.cap, **summary.as_dict(),
                          "plots": plots}, indent=2))
    else:
        _print_summary(scenario, agents, summary, args.cap)
        for p in plots:
            print(f"  plot: {p}")
    sys.stdout.flush()
    return 0
