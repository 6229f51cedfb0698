"""A real API server on loopback over a real store and indicator engine, with two tenants, each
with an admin, a supervisor and an agent (and the agent's profile), a campaign, a list with
contacts, a callback and a missed call."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import argon2
import httpx
import pytest
import trio

from ccengine import domain as d
from ccengine.agents import AgentService
from ccengine.api import ApiServer, ApiSettings, LoginLimits, Services
from ccengine.campaigns import CampaignService
from ccengine.dialer import Dialer, Dialling
from ccengine.metrics import Aggregator, Hub, MetricsService
from ccengine.store import Store
from ccengine.supervision import Supervision
from ccengine.telephony import Media, Telephony
from tests.dialer.test_campaign import prompt

PASSWORD = "correct horse battery"
#: argon2id made cheap for tests (the library's defaults take ~50 ms a hash by design).
FAST_HASHER = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
ALWAYS = d.Schedule(tz="Europe/Paris", windows=tuple(d.Window(w, dt.time(0), dt.time(23, 59)) for w in range(7)))


@dataclass
class Tenant:
    tenant: d.Tenant
    users: dict[str, d.User]
    tokens: dict[str, str]
    agent: d.Agent
    campaign: d.Campaign
    contact_list: d.ContactList
    contacts: list[int]
    callback: d.Callback
    missed_call: d.MissedCall

    def ids(self) -> dict[str, int]:
        """Path parameters naming this tenant's things."""
        return {"campaign_id": self.campaign.id, "list_id": self.contact_list.id, "contact_id": self.contacts[0],
                "agent_id": self.agent.id, "callback_id": self.callback.id, "user_id": self.users["agent"].id,
                "import_id": 0, "call_id": 0}


@dataclass
class Api:
    url: str
    services: Services
    tenants: list[Tenant]
    client: httpx.AsyncClient
    extra: dict[str, Any] = field(default_factory=dict)

    def auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    async def as_role(self, tenant: int, role: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**kwargs.pop("headers", {}), **self.auth(self.tenants[tenant].tokens[role])}
        return await self.client.request(method, path, headers=headers, **kwargs)


async def dialling(api: Api, nursery: trio.Nursery, directory: Path) -> Dialer:
    """Gives the API a real dialer over SIP on loopback whose agents are the tenants' agents
    (password ``PASSWORD``): their phones may register and be called. No campaign runs."""
    agents = [t.agent for t in api.tenants]
    media = Media(bind="127.0.0.1")
    telephony = Telephony("[sip]\n[[sip.listen]]\ntransport = \"udp\"\naddress = \"127.0.0.1:0\"\n"
                          + "".join(f'[[sip.agent]]\nuser = "{a.extension}"\npassword = "{PASSWORD}"\n'
                                    for a in agents), media=media)
    await nursery.start(media.run)
    await nursery.start(telephony.run)
    services = api.services
    dialer = Dialer(services.store, services.agents, telephony, media,
                    Dialling(trunk="carrier", abandon_prompt=prompt(directory / "abandon.wav"), wrapup_s=30),
                    hub=services.hub,
                    session_ring_timeout=3)
    await nursery.start(dialer.run)
    services.dialer = dialer
    return dialer


def idle_supervision(store: Store, hub: Hub) -> Supervision:
    """Supervision over an engine whose telephony is configured but not started: its call board
    is real (tests put calls on it) and no agent is on a call, so supervising answers 409."""
    media = Media()
    telephony = Telephony("[sip]\n", media=media)
    dialer = Dialer(store, AgentService(store), telephony, media,
                    Dialling(trunk="carrier", abandon_prompt=Path("never-played.wav")), hub=hub)
    return Supervision(dialer, hub=hub)


async def make_tenant(services: Services, name: str, prefix: str) -> Tenant:
    store = services.store
    tenant = await store.create_tenant(name, "Europe/Paris")
    users = {role.value: await store.create_user(tenant.id, f"{name}-{role.value}", f"{name} {role.value}", role,
                                                 FAST_HASHER.hash(PASSWORD))
             for role in d.Role}
    campaign = await store.create_campaign(d.Campaign(id=0, tenant_id=tenant.id, name=f"{name} sales",
                                                      schedule=ALWAYS))
    agent = await store.create_agent(tenant.id, f"{name} agent", user_id=users["agent"].id, extension=f"{prefix}001",
                                     campaign_ids=[campaign.id])
    contact_list = await store.create_list(campaign.id, "main", status=d.ListStatus.ACTIVE)
    added = await store.add_contacts(contact_list.id, [(f"+336{prefix}{i:07d}", "Europe/Paris", {"n": str(i)})
                                                       for i in range(5)])
    callback = await store.schedule_callback(added.done[-1], d.now_us() + 3600 * d.SECOND)
    missed = await store.record_missed_call(tenant.id, f"+336{prefix}9999999", d.now_us())
    return Tenant(tenant, users, {}, agent, campaign, contact_list, added.done, callback, missed)


@pytest.fixture
async def api(nursery: trio.Nursery, tmp_path: Path) -> AsyncIterator[Api]:
    with Store(tmp_path / "center.db") as store:
        hub = Hub()
        aggregator = Aggregator(sizes={"tenant": 4, "agent": 8, "team": 2, "campaign": 8, "list": 8, "queue": 1,
                                       "channel": 1}, tz="Europe/Paris")
        metrics = MetricsService(aggregator, hub=hub)
        await nursery.start(metrics.run)
        services = Services(store=store, agents=AgentService(store, metrics.sender()),
                            campaigns=CampaignService(store, metrics.sender(), hub=hub), aggregator=aggregator,
                            hub=hub, settings=ApiSettings(passwords=FAST_HASHER, live_min_interval_s=0.01,
                                                          login_limits=LoginLimits(per_account=3, per_address=6,
                                                                                   window_s=60)),
                            supervision=idle_supervision(store, hub))
        tenants = [await make_tenant(services, "acme", "1"), await make_tenant(services, "globex", "2")]
        server = ApiServer(services, port=0, graceful_timeout_s=0.5)
        port = await nursery.start(server.run)
        url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:
            for t in tenants:
                for role, user in t.users.items():
                    r = await client.post("/api/sessions", json={"login": user.login, "password": PASSWORD})
                    assert r.status_code == 201, r.text
                    t.tokens[role] = r.json()["token"]
            yield Api(url, services, tenants, client)
