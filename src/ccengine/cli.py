"""`ccengine …`: the command line.

Until the dialer lands, ``ccengine demo`` runs what exists: simulated days of a call center,
from the Monday of the previous week to the chosen day, are written to an event log, the
indicator engine is rebuilt from that log as after a restart, and the admin dashboard (seed 000)
and one agent's indicator desk (seed 002, with trends against the previous week) are printed as
of a moment of the last day.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Sequence

import numpy as np

from ccengine import center, metrics, serve
from ccengine.contacts import _commands as contact_commands
from ccengine.errors import CCEngineError
from ccengine.pacing import plan
from ccengine.sim import _cli as sim_commands


def _micros(moment: dt.datetime) -> int:
    return int(moment.timestamp()) * 1_000_000


def _percent(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f} %"


def _number(x: float | None, unit: str = "") -> str:
    if x is None:
        return "—"
    return f"{x:,.0f}{unit}" if float(x).is_integer() else f"{x:,.2f}{unit}"


def demo(args: argparse.Namespace) -> int:
    sizes = {
        "tenant": 1, "agent": args.agents, "team": max(1, args.agents // 20),
        "campaign": args.campaigns, "list": args.campaigns * 4, "queue": 10, "channel": 1,
    }
    zone = metrics.zone(args.tz)
    today = dt.date.fromisoformat(args.date)
    at = dt.datetime.combine(today, dt.time.fromisoformat(args.at), zone)
    now = _micros(at)
    first = today - dt.timedelta(days=today.weekday() + 7)  # Monday of the previous week
    days = [first + dt.timedelta(days=i) for i in range((today - first).days + 1)]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ccengine-demo-") as directory:
        log = metrics.EventLog(directory)
        total = 0
        for number, date in enumerate(days):
            batch = metrics.synthetic_day(
                date=date.isoformat(), tz=args.tz, agents=args.agents, teams=sizes["team"],
                campaigns=args.campaigns, lists=sizes["list"], queues=sizes["queue"],
                target_events=args.events, seed=args.seed + number,
            )
            if date == today:
                # The log holds what happened until `now`; the rest of the day has not happened yet.
                batch = batch.take(slice(0, int(np.searchsorted(batch.time, now, side="right"))))
            log.append(batch)
            total += len(batch)
        generated = time.perf_counter() - started
        aggregator = metrics.Aggregator(sizes=sizes, tz=args.tz)
        started = time.perf_counter()
        report = log.rebuild(aggregator)
        rebuilt = time.perf_counter() - started
    if report.rejected:
        print(f"{report.rejected} events refused, first: {report.rejections[0]}", file=sys.stderr)
        return 1
    board = metrics.Dashboard.read(aggregator, now)
    print(f"ccengine demo — {args.agents} agents, {args.campaigns} campaigns, {args.tz}, {at:%A %d %B %Y %H:%M}")
    print(f"simulated {len(days)} days since {first:%A %d %B}: {total:,} events in {generated:.1f} s; "
          f"rebuilt from the event log in {rebuilt * 1000:.0f} ms ({total / rebuilt / 1e6:.1f} M events/s)")
    print()
    print("Dashboard (seed 000), today so far")
    rows = [
        ("Agents connected", _number(board.agents_connected)),
        ("Active campaigns", _number(board.active_campaigns)),
        ("Production hours", _number(board.production_hours, " h")),
        ("Active contact lists", _number(board.active_lists)),
        ("Argued calls", f"{_number(board.argued_calls)}  ({_percent(board.argued_share)} of calls)"),
        ("Positive contacts", f"{_number(board.positive_contacts)}  ({_percent(board.positive_share)} of records)"),
        ("Callbacks on the shared agenda", _number(board.shared_callbacks)),
        ("Abandon rate", _percent(board.abandon_rate)),
    ]
    for label, value in rows:
        print(f"  {label:<32} {value}")
    agent = args.agent
    print()
    print(f"Agent {agent} indicators (seed 002), this week, against last week")
    week = aggregator.report(now, "week", "agent", agent)
    for name in ("conversations", "aht_seconds", "csat", "revenue", "transactions", "average_basket",
                 "conversion_rate", "production_hours", "occupancy"):
        ind = week.indicators[name]
        show = _percent if name.endswith("rate") or name == "occupancy" else _number
        trend = {"up": "↑", "down": "↓", "stable": "→", None: " "}[ind.trend]
        print(f"  {name:<32} {show(ind.value):>12}  {trend} ({ind.comparison.replace('_', ' ')}: {show(ind.previous)})")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ccengine", description="Contact-center engine.")
    commands = parser.add_subparsers(dest="command", required=True)
    d = commands.add_parser("demo", help="replay a simulated day through the indicator engine and print the dashboard")
    d.add_argument("--events", type=int, default=1_000_000, help="events per simulated day (default 1,000,000)")
    d.add_argument("--agents", type=int, default=400)
    d.add_argument("--campaigns", type=int, default=20)
    d.add_argument("--tz", default="Europe/Paris")
    d.add_argument("--date", default="2026-11-20", help="local date of the last simulated day")
    d.add_argument("--at", default="15:30", help="local time the dashboard is read at")
    d.add_argument("--agent", type=int, default=0, help="agent whose indicator desk is shown")
    d.add_argument("--seed", type=int, default=1)
    d.set_defaults(run=demo)
    plan.register(commands)
    contact_commands.register(commands)
    serve.register(commands)
    center.register(commands)
    sim_commands.register(commands)
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except CCEngineError as err:  # refused input: say what and which rule, no traceback
        print(f"ccengine: {err} [{err.slug}]", file=sys.stderr)
        return 2
    except (OSError, ValueError) as err:
        print(f"ccengine: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
