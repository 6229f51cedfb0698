"""The simulator's side of bench/dialer_load.py, in a process of its own so that its CPU is not
counted as the engine's: the simulated carrier and the agents' phone bank.

``python -m bench.sim_side SCENARIO SEED AGENTS PASSWORD VOICES`` starts the carrier and prints
``carrier HOST PORT``; it then reads ``registrar HOST:PORT`` (the engine's SIP address) on
standard input, registers the phones of agents ``2001 …`` (the demo's extensions) there and
prints ``registered``; it runs until its standard input closes, then prints the carrier's counts
and exits.
"""

from __future__ import annotations

import sys
from pathlib import Path

import trio

from ccengine.pacing import Scenario
from ccengine.sim import Account, Carrier, Draws, PhoneBank, make_voices


async def main(scenario: Path, seed: int, agents: int, password: str, voices: Path) -> None:
    draws = Draws(Scenario.load(scenario), seed)
    carrier = Carrier(draws, listen="127.0.0.1:0", voices_dir=voices, keep_calls=False)
    talk = (await trio.to_thread.run_sync(make_voices, voices)).talk
    async with trio.open_nursery() as nursery:
        await nursery.start(carrier.run)
        assert carrier.address is not None
        print("carrier", *carrier.address, flush=True)
        line = await trio.to_thread.run_sync(sys.stdin.readline)
        registrar = line.split()[1]
        phones = PhoneBank([Account(f"{2001 + k}", password) for k in range(agents)], registrar, voice=talk.path,
                           register_timeout=60.0)
        await nursery.start(phones.run)
        print("registered", flush=True)
        while await trio.to_thread.run_sync(sys.stdin.readline):
            pass
        nursery.cancel_scope.cancel()
    print(f"carrier: {carrier.counts.summary()}", flush=True)


if __name__ == "__main__":
    path, seed, agents, password, voices = sys.argv[1:6]
    trio.run(main, Path(path), int(seed), int(agents), password, Path(voices))
