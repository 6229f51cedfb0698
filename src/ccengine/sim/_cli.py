"""``ccengine sim carrier SCENARIO.toml --listen HOST:PORT --seed N``: the simulated carrier as a
process of its own (so the engine's CPU is measured apart from the simulator's). It runs until
SIGINT or SIGTERM, then prints what it did and exits 0."""

from __future__ import annotations

import argparse
import signal
from pathlib import Path
from typing import Any

import trio

from ccengine.errors import CCEngineError
from ccengine.pacing import Scenario
from ccengine.sim._carrier import Carrier
from ccengine.sim._draws import Draws

__all__ = ["register"]


def register(commands: Any) -> None:
    sim = commands.add_parser("sim", help="the simulated call center: a carrier answering with a scenario's odds")
    parts = sim.add_subparsers(dest="part", required=True)
    c = parts.add_parser("carrier", help="answer the engine's calls over SIP and RTP with a pacing scenario's odds")
    c.add_argument("scenario", type=Path, help="scenario TOML file (see bench/scenarios/)")
    c.add_argument("--listen", default="127.0.0.1:5080", help="SIP address (UDP) the engine's trunk points at")
    c.add_argument("--seed", type=int, default=1, help="the scenario's seed: one fate per call rank (default 1)")
    c.add_argument("--at-hours", type=float, default=0.0, help="hours into the scenario's day at start (drift laws)")
    c.add_argument("--max-calls", type=int, default=1000, help="calls at once; more are refused with 503")
    c.add_argument("--no-answer-limit", type=float, default=180.0,
                   help="seconds an unanswered call rings before the carrier refuses it with 480, if the engine "
                        "has not cancelled it (default 180)")
    c.add_argument("--voices", type=Path, help="cache directory of the spoken clips (default ~/.cache/ccengine)")
    c.set_defaults(run=run_carrier)


def run_carrier(args: argparse.Namespace) -> int:
    draws = Draws(Scenario.load(args.scenario), args.seed)
    carrier = Carrier(draws, listen=args.listen, voices_dir=args.voices, max_calls=args.max_calls,
                      day_offset=args.at_hours * 3600.0, no_answer_limit=args.no_answer_limit, keep_calls=False)
    try:
        trio.run(_until_signalled, carrier)
    except BaseExceptionGroup as group:
        # A refused start (an address in use, a missing espeak-ng) leaves the nursery wrapped in
        # a group: hand the refusal itself to the command line, which prints it without a trace.
        refusal, rest = group.split((CCEngineError, OSError))
        if refusal is None or rest is not None:
            raise
        leaf: BaseException = refusal
        while isinstance(leaf, BaseExceptionGroup):
            leaf = leaf.exceptions[0]
        raise leaf from None
    print(f"ccengine sim carrier: {carrier.counts.summary()}", flush=True)
    return 0


async def _until_signalled(carrier: Carrier) -> None:
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async with trio.open_nursery() as nursery:
            await nursery.start(carrier.run)
            assert carrier.address is not None
            host, port = carrier.address
            scenario = carrier.draws.scenario
            print(f"ccengine sim carrier: {scenario.name!r} seed {carrier.draws.seed}, SIP on udp "
                  f"{f'[{host}]' if ':' in host else host}:{port}", flush=True)
            async for _ in signals:
                nursery.cancel_scope.cancel()
                break
