"""What the API works on: the engine's services, shared with the rest of the process, and the
API's own settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

import argon2
from fastapi import Depends, Request

from ccengine.agents import AgentService
from ccengine.api._ratelimit import LoginLimits
from ccengine.campaigns import CampaignService
from ccengine.metrics import Aggregator, Hub
from ccengine.store import Store

if TYPE_CHECKING:
    from ccengine.dialer import Dialer
    from ccengine.supervision import Supervision


@dataclass(frozen=True, slots=True)
class ApiSettings:
    session_ttl_s: float = 12 * 3600
    """A token lives this long after login (an agent's shift), then the user logs in again."""
    touch_every_s: float = 60
    """Session and agent last-activity times move at most this often (a write per request
    would serialise every read on the store's writer)."""
    login_limits: LoginLimits = field(default_factory=LoginLimits)
    passwords: argon2.PasswordHasher = field(default_factory=argon2.PasswordHasher)
    """argon2id with the library's defaults (RFC 9106's low-memory profile)."""
    live_capacity: int = 1024
    """Different pending changes a live subscriber may fall behind by before it is dropped."""
    live_min_interval_s: float = 0.1
    """Indicator updates to one subscriber are coalesced to at most one per this interval."""
    upload_limit_bytes: int = 512 * 1024 * 1024


@dataclass(slots=True)
class Services:
    store: Store
    agents: AgentService
    campaigns: CampaignService
    aggregator: Aggregator
    """Owned by the metrics service's task; handlers run in the same trio thread, so they read it
    between two of its batches, never during one."""
    hub: Hub
    settings: ApiSettings = field(default_factory=ApiSettings)
    supervision: Supervision | None = None
    """Listen, whisper, barge, takeover and the call board; None when the engine runs without
    telephony (those operations then answer 503)."""
    dialer: Dialer | None = None
    """Agents' phone sessions and dispositions; None without telephony (agents are then logged
    in and out as states only, as in tests of the API alone)."""


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(_services)]
