"""A whole simulated call center in one trio run: the engine exactly as ``ccengine serve`` runs
it (store, indicator engine, dialer, supervision, admin API, SIP and media), a simulated carrier
its trunk points at, a bank of agents' softphones registered with it, and the simulated agents
working the campaign. ``ccengine demo`` shows it on a terminal; the end-to-end tests and the
benchmarks drive it too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import trio

from ccengine import domain as d
from ccengine.api import Services
from ccengine.center import Center
from ccengine.demo._world import AGENT_PASSWORD, DISPOSITION_SHARES, DemoWorld, build
from ccengine.dialer import Dialer
from ccengine.pacing import Scenario
from ccengine.serve import Running, load, serve
from ccengine.sim import Account, Carrier, Draws, PhoneBank, SimulatedAgents, default_cache, make_voices, spoken
from ccengine.store import Store
from ccengine.telephony import Telephony

__all__ = ["SimulatedCenter", "simulated_center"]

ABANDON_WORDS = "Bonjour. Tous nos conseillers sont occupés, nous vous rappellerons très vite. Au revoir."
MACHINE_WORDS = "Bonjour, ici le service clients. Nous vous rappellerons. Bonne journée."


@dataclass(frozen=True, slots=True)
class SimulatedCenter:
    directory: Path
    world: DemoWorld
    center: Center
    services: Services
    dialer: Dialer
    telephony: Telephony
    api_port: int
    carrier: Carrier
    phones: PhoneBank
    agents: SimulatedAgents

    @property
    def campaign_id(self) -> int:
        return self.world.campaign.id

    async def worked_out(self) -> bool:
        """Nothing left: no contact to try, no call in flight, no callback waiting."""
        store = self.services.store
        camp = await store.campaign(self.campaign_id)
        return (camp.inactive_reason is d.InactiveReason.LISTS_EXHAUSTED
                and not self.dialer.board.calls(campaign_id=self.campaign_id)
                and not await store.callbacks(self.campaign_id))


def engine_config(directory: Path, *, carrier: tuple[str, int], agents: list[d.Agent], abandon: Path,
                  machine: Path, ring_timeout: float, tz: str) -> str:
    """The TOML document ``ccengine serve`` would read for this center."""
    host, port = carrier
    lines = [
        "[center]", f'database = "{directory / "center.db"}"', f'events = "{directory / "events"}"', f'tz = "{tz}"',
        "[api]", 'listen = "127.0.0.1:0"',
        "[dialer]", 'trunk = "carrier"', f'abandon_prompt = "{abandon}"', f'machine_message = "{machine}"',
        f"ring_timeout = {ring_timeout}", "wrapup_max = 60",
        "[sip]", "[[sip.listen]]", 'transport = "udp"', 'address = "127.0.0.1:0"',
        "[[sip.trunk]]", 'name = "carrier"', f'address = "{host}:{port}"',
    ]
    for agent in agents:
        lines += ["[[sip.agent]]", f'user = "{agent.extension}"', f'password = "{AGENT_PASSWORD}"']
    return "\n".join(lines) + "\n"


@asynccontextmanager
async def simulated_center(directory: Path, scenario: Scenario, *, contacts: int, agents: int, seed: int = 1,
                           dial_mode: d.DialMode = d.DialMode.PREDICTIVE, callback_after: float = 90.0,
                           voices: Path | None = None,
                           prepare: Callable[[Store, DemoWorld], Awaitable[None]] | None = None,
                           ) -> AsyncIterator[SimulatedCenter]:
    """Builds the center's content in ``directory`` (SQLite file, event log, contact CSV), starts
    everything and the campaign, and yields once every agent is logged in; leaving the block
    cancels it all (calls in flight are hung up and recorded). ``prepare`` changes the content
    before the engine starts (a test's do-not-call numbers, its retry delays)."""
    directory.mkdir(parents=True, exist_ok=True)
    with Store(directory / "center.db") as store:
        world = await build(store, directory, contacts=contacts, agents=agents, seed=seed, dial_mode=dial_mode)
        if prepare is not None:
            await prepare(store, world)
    cache = voices or default_cache()
    abandon = await trio.to_thread.run_sync(spoken, cache, "abandon-fr", "fr-fr", ABANDON_WORDS)
    machine = await trio.to_thread.run_sync(spoken, cache, "machine-message-fr", "fr-fr", MACHINE_WORDS)
    talk = (await trio.to_thread.run_sync(make_voices, cache)).talk
    draws = Draws(scenario, seed)
    carrier = Carrier(draws, listen="127.0.0.1:0", voices_dir=cache)
    # Each part stops before the ones it uses: the agents, then their phones (their sessions end),
    # then the engine (it hangs up and records the calls in flight), then the carrier.
    async with trio.open_nursery() as outside:
        await outside.start(carrier.run)
        assert carrier.address is not None
        text = engine_config(directory, carrier=carrier.address, agents=world.agents, abandon=abandon.path,
                             machine=machine.path, ring_timeout=draws.ring_timeout, tz=world.tenant.tz)
        (directory / "ccengine.toml").write_text(text, encoding="utf-8")
        async with trio.open_nursery() as engine:
            running: Running = await engine.start(partial(serve, load(text, directory), quiet=True))
            assert running.telephony is not None and running.center is not None and running.api_port is not None
            center = running.center
            assert center.services is not None and center.dialer is not None
            _, host, port = running.telephony.local_addresses()[0]
            phones = PhoneBank([Account(a.extension, AGENT_PASSWORD) for a in world.agents], f"{host}:{port}",
                               voice=talk.path)
            async with trio.open_nursery() as desks:
                await desks.start(phones.run)
                services = center.services
                simulated = SimulatedAgents(center.dialer, services.agents, services.hub, draws,
                                            tenant_id=world.tenant.id, campaign_id=world.campaign.id,
                                            agents=[a.id for a in world.agents], shares=DISPOSITION_SHARES,
                                            callback_after=callback_after, seed=seed)
                async with trio.open_nursery() as people:
                    await people.start(simulated.run)
                    await services.campaigns.act(world.campaign.id, "start")
                    try:
                        yield SimulatedCenter(directory, world, center, services, center.dialer, running.telephony,
                                              running.api_port, carrier, phones, simulated)
                    finally:
                        people.cancel_scope.cancel()
                desks.cancel_scope.cancel()
            engine.cancel_scope.cancel()
        outside.cancel_scope.cancel()
