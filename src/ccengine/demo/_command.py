"""``ccengine demo``: the main job. A whole simulated call center on this machine (see
``_center``), its dashboard live in the terminal until the campaign has worked its list, the
time is up, or Ctrl-C; then the campaign is stopped, the calls in flight end and are recorded,
and a summary compares what the database, the indicator engine, the carrier and the agents saw.
"""

from __future__ import annotations

import argparse
import signal
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any

import trio

from ccengine import domain as d
from ccengine.demo._center import SimulatedCenter, simulated_center
from ccengine.demo._screen import Floor, Screen
from ccengine.demo._summary import Summary, summarise
from ccengine.metrics import Dashboard
from ccengine.pacing import Scenario

__all__ = ["register"]

#: Seconds between two refreshes of the screen.
REFRESH = 1.0
#: Seconds the calls in flight get to end once the campaign is stopped, before they are hung up.
DRAIN = 20.0


def register(commands: Any) -> None:
    p = commands.add_parser(
        "demo", help="a simulated call center end to end: the engine on SQLite, a simulated carrier and agents "
                     "over real SIP and RTP, a predictive campaign, the live dashboard")
    p.add_argument("--agents", type=int, default=12, help="simulated agents (default 12)")
    p.add_argument("--contacts", type=int, default=200, help="contacts in the demo list (default 200)")
    p.add_argument("--scenario", type=Path, help="pacing scenario of the carrier and agents (default: the demo's, "
                                                 "a `ccengine plan` file)")
    p.add_argument("--mode", choices=[m.value for m in d.DialMode if m is not d.DialMode.PREVIEW],
                   default=d.DialMode.PREDICTIVE.value)
    p.add_argument("--minutes", type=float, default=15.0, help="stop after this long at most (default 15)")
    p.add_argument("--callback-after", type=float, default=60.0,
                   help="seconds until the callbacks agents schedule are due (default 60)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dir", type=Path, help="keep the center's files here (default: a new temporary directory)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.agents < 1 or args.contacts < 1:
        raise ValueError("--agents and --contacts must be at least 1")
    directory = args.dir or Path(tempfile.mkdtemp(prefix="ccengine-demo-"))
    scenario = Scenario.load(args.scenario) if args.scenario else Scenario.parse(
        resources.files("ccengine.demo").joinpath("demo.toml").read_text(encoding="utf-8"))
    summary = trio.run(_demo, args, directory, scenario)
    for line in summary.lines():
        print(line)
    return 0 if summary.consistent else 1


async def _demo(args: argparse.Namespace, directory: Path, scenario: Scenario) -> Summary:
    title = (f"ccengine demo — {args.agents} agents, {args.contacts} contacts, {args.mode}, "
             f"scenario {scenario.name!r} (seed {args.seed})")
    screen = Screen(title)
    started = time.monotonic()
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async with simulated_center(directory, scenario, contacts=args.contacts, agents=args.agents, seed=args.seed,
                                    dial_mode=d.DialMode(args.mode), callback_after=args.callback_after) as c:
            imported = c.world.imported
            carrier = c.carrier.address
            assert carrier is not None  # bound: simulated_center started the carrier
            screen.print([
                title,
                f"files in {directory} (SQLite {directory / 'center.db'}, event log, the contact CSV)",
                f"contact list imported: {imported.accepted} accepted, {imported.rejected} refused "
                + ", ".join(f"(line {line}: {reason})" for line, reason, _ in imported.rejections[:3]),
                f"admin API on http://127.0.0.1:{c.api_port} — carrier on udp {carrier[0]}:"
                f"{carrier[1]}, {len(c.phones.registered)} phones registered; Ctrl-C stops",
                "",
            ])
            interrupted = await _watch(c, screen, signals, started, args.minutes * 60)
            await c.services.campaigns.act(c.campaign_id, "stop")
            with trio.move_on_after(DRAIN):
                while c.dialer.board.calls(campaign_id=c.campaign_id):
                    await trio.sleep(0.2)
            screen.show(*await _read(c, started))
            tally, counts = c.agents.tally, c.carrier.counts
    return await summarise(directory, c.world, tally, counts, interrupted=interrupted,
                           elapsed=time.monotonic() - started)


async def _watch(c: SimulatedCenter, screen: Screen, signals: Any, started: float, limit: float) -> bool:
    """Refreshes the screen until the list is worked out, the time is up (False) or a signal
    comes (True)."""
    with trio.move_on_after(limit):
        async with trio.open_nursery() as nursery:
            interrupted = False

            async def on_signal() -> None:
                nonlocal interrupted
                async for _ in signals:
                    interrupted = True
                    nursery.cancel_scope.cancel()
                    return

            nursery.start_soon(on_signal)
            while True:
                board, floor = await _read(c, started)
                screen.show(board, floor)
                if await c.worked_out():
                    nursery.cancel_scope.cancel()
                await trio.sleep(REFRESH)
    return interrupted


async def _read(c: SimulatedCenter, started: float) -> tuple[Dashboard, Floor]:
    store = c.services.store
    board = Dashboard.read(c.services.aggregator, d.now_us())
    camp = await store.campaign(c.campaign_id)
    counts: dict[str, int] = {}
    for lst in await store.contact_lists(c.campaign_id):
        for state, n in (await store.list_counts(lst.id)).items():
            counts[state] = counts.get(state, 0) + n
    agents: dict[str, int] = {}
    for status in await store.agent_statuses(c.world.tenant.id):
        agents[status.state.value] = agents.get(status.state.value, 0) + 1
    today = c.services.aggregator.values(d.now_us(), "day", "campaign", c.campaign_id)
    state = camp.run_state.value if camp.inactive_reason is None else f"inactive: {camp.inactive_reason.value}"
    return board, Floor(
        elapsed=time.monotonic() - started, campaign=camp.name, run_state=state,
        contacts=sum(n for s, n in counts.items() if s != d.ContactState.REMOVED.value),
        done=counts.get(d.ContactState.DONE.value, 0), calls_placed=int(today["attempts"] or 0),
        in_flight=len(c.dialer.board.calls(campaign_id=c.campaign_id)), waiting=len(c.dialer.board.waiting()),
        agents=agents)
