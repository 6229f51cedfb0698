"""Looking things up on behalf of a caller: another tenant's campaign, list, contact, agent or
callback is "not found", and an agent reaches only their own profile."""

from __future__ import annotations

from ccengine import domain as d
from ccengine.api._auth import Caller, same_tenant
from ccengine.api._problems import Problem
from ccengine.api._services import Services


async def campaign(services: Services, caller: Caller, campaign_id: int) -> d.Campaign:
    found = await services.store.campaign(campaign_id)
    same_tenant(caller, found.tenant_id, "campaign", campaign_id)
    return found


async def contact_list(services: Services, caller: Caller, list_id: int) -> d.ContactList:
    found = await services.store.contact_list(list_id)
    await campaign(services, caller, found.campaign_id)
    return found


async def contact(services: Services, caller: Caller, contact_id: int) -> d.Contact:
    found = await services.store.contact(contact_id)
    await campaign(services, caller, found.campaign_id)
    return found


async def agenda(services: Services, caller: Caller, campaign_id: int) -> d.Campaign:
    """A campaign whose agenda the caller may see: an agent, only of the campaigns they are
    assigned to."""
    found = await campaign(services, caller, campaign_id)
    if caller.role is d.Role.AGENT:
        assigned = (await services.store.agent(caller.agent_id)).campaign_ids if caller.agent_id else frozenset()
        if campaign_id not in assigned:
            raise Problem(403, "forbidden", "an agent reaches the agenda of the campaigns they are assigned to")
    return found


async def callback(services: Services, caller: Caller, callback_id: int) -> d.Callback:
    found = await services.store.callback(callback_id)
    await agenda(services, caller, found.campaign_id)
    if caller.role is d.Role.AGENT and found.agent_id not in (None, caller.agent_id):
        raise Problem(403, "forbidden", "an agent reaches only the shared agenda and their own callbacks")
    return found


async def agent(services: Services, caller: Caller, agent_id: int) -> d.Agent:
    found = await services.store.agent(agent_id)
    same_tenant(caller, found.tenant_id, "agent", agent_id)
    if caller.role is d.Role.AGENT and caller.agent_id != agent_id:
        raise Problem(403, "forbidden", "an agent reaches only their own profile")
    return found
