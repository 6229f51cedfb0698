"""The supervisor → agent chat (seed 001, "Chat en temps réel"): a supervisor or admin writes to
an agent; the message is kept and pushed at once to the agent's live stream (a ``message``
notice on the hub). The agent reads their conversation; only they and the tenant's supervisors
see it."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from pydantic import Field

from ccengine.api import _owned
from ccengine.api._auth import ALL_ROLES, MANAGERS, CallerDep
from ccengine.api._models import After, Body, Key, Limit, Page, Str, moment, page
from ccengine.api._routing import operation
from ccengine.api._services import ServicesDep
from ccengine.metrics import Notice
from ccengine.store import Message

router = APIRouter(prefix="/api/agents", tags=["agents"])

#: Characters in one chat message: an instruction, not a document.
MAX_TEXT = 2000


class NewMessage(Body):
    text: Str = Field(min_length=1, max_length=MAX_TEXT)


class MessageOut(Body):
    id: int
    agent_id: int
    from_user: int
    at: dt.datetime
    text: str


def message_out(m: Message) -> MessageOut:
    return MessageOut(id=m.id, agent_id=m.agent_id, from_user=m.from_user, at=moment(m.at), text=m.text)


@operation(router, "POST", "/{agent_id}/messages", roles=MANAGERS, status_code=201,
           summary="Write to an agent", response_model=MessageOut)
async def send(agent_id: Key, body: NewMessage, caller: CallerDep, services: ServicesDep) -> MessageOut:
    """Kept, and delivered live to the agent's stream (``{"type": "message", …}``)."""
    agent = await _owned.agent(services, caller, agent_id)
    sent = await services.store.add_message(agent.tenant_id, agent_id, caller.user.id, body.text)
    services.hub.publish([Notice(agent.tenant_id, "message", sent.id, agent_id)])
    return message_out(sent)


@operation(router, "GET", "/{agent_id}/messages", roles=ALL_ROLES, summary="An agent's conversation",
           response_model=Page[MessageOut])
async def conversation(agent_id: Key, caller: CallerDep, services: ServicesDep, after: After = 0,
                       limit: Limit = 100) -> Page[MessageOut]:
    """Oldest first. An agent reads their own."""
    await _owned.agent(services, caller, agent_id)
    found = await services.store.messages(agent_id, after=after, limit=limit + 1)
    return page([message_out(m) for m in found], [m.id for m in found], after, limit)
