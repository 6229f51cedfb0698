"""``ccengine replay``: the indicator engine on its own, at the scale of a big center. Simulated
days, from the Monday of the previous week to the chosen day, are written to an event log, the
indicator engine is rebuilt from that log as after a restart, and the admin dashboard (seed 000)
and one agent's indicator desk (seed 002, with trends against the previous week) are printed as of
a moment of the last day, with how fast the log was written and read back."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from typing import Any

import numpy as np

from ccengine import metrics
from ccengine.demo._screen import dashboard_rows, number, percent

__all__ = ["register"]


def _micros(moment: dt.datetime) -> int:
    return int(moment.timestamp()) * 1_000_000


def replay(args: argparse.Namespace) -> int:
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
    with tempfile.TemporaryDirectory(prefix="ccengine-replay-") as directory:
        log = metrics.EventLog(directory)
        total = 0
        for n, date in enumerate(days):
            batch = metrics.synthetic_day(
                date=date.isoformat(), tz=args.tz, agents=args.agents, teams=sizes["team"],
                campaigns=args.campaigns, lists=sizes["list"], queues=sizes["queue"],
                target_events=args.events, seed=args.seed + n,
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
    print(f"ccengine replay — {args.agents} agents, {args.campaigns} campaigns, {args.tz}, {at:%A %d %B %Y %H:%M}")
    print(f"simulated {len(days)} days since {first:%A %d %B}: {total:,} events in {generated:.1f} s; "
          f"rebuilt from the event log in {rebuilt * 1000:.0f} ms ({total / rebuilt / 1e6:.1f} M events/s)")
    print()
    print("Dashboard (seed 000), today so far")
    for label, value in dashboard_rows(board):
        print(f"  {label:<32} {value}")
    agent = args.agent
    print()
    print(f"Agent {agent} indicators (seed 002), this week, against last week")
    week = aggregator.report(now, "week", "agent", agent)
    for name in ("conversations", "aht_seconds", "csat", "revenue", "transactions", "average_basket",
                 "conversion_rate", "production_hours", "occupancy"):
        ind = week.indicators[name]
        show = percent if name.endswith("rate") or name == "occupancy" else number
        trend = {"up": "↑", "down": "↓", "stable": "→", None: " "}[ind.trend]
        print(f"  {name:<32} {show(ind.value):>12}  {trend} ({ind.comparison.replace('_', ' ')}: {show(ind.previous)})")
    return 0


def register(commands: Any) -> None:
    p = commands.add_parser("replay", help="replay simulated days through the indicator engine and print the "
                                           "dashboard (the indicator engine at scale)")
    p.add_argument("--events", type=int, default=1_000_000, help="events per simulated day (default 1,000,000)")
    p.add_argument("--agents", type=int, default=400)
    p.add_argument("--campaigns", type=int, default=20)
    p.add_argument("--tz", default="Europe/Paris")
    p.add_argument("--date", default="2026-11-20", help="local date of the last simulated day")
    p.add_argument("--at", default="15:30", help="local time the dashboard is read at")
    p.add_argument("--agent", type=int, default=0, help="agent whose indicator desk is shown")
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(run=replay)
