"""Campaigns (seeds 000, 003, 004): create, edit, start / pause / resume / stop, performance,
dispositions, call records."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query

from ccengine import domain as d
from ccengine.api import _owned
from ccengine.api._auth import ADMINS, MANAGERS, CallerDep
from ccengine.api._indicators import Dimension, Period, ReportOut, report_out, sized
from ccengine.api._models import After, Body, Bool, Float, Int, Key, Limit, Moment, Page, Str, micros, moment, page
from ccengine.api._routing import operation
from ccengine.api._services import ServicesDep
from ccengine.errors import DomainError
from ccengine.metrics import zone

router = APIRouter(prefix="/api/campaigns", tags=["campaigns"])


class WindowModel(Body):
    weekday: Int
    """0 = Monday … 6 = Sunday."""
    start: Str
    """Local time, ``HH:MM``."""
    end: Str


class ScheduleModel(Body):
    tz: Str = "UTC"
    windows: list[WindowModel]
    first_day: dt.date | None = None
    last_day: dt.date | None = None


class DispositionModel(Body):
    code: Str
    label: Str
    positive: Bool = False
    argued: Bool = True
    final: Bool = True
    callback: Bool = False


class CampaignSettings(Body):
    """Every setting may be given; those left out keep their default (create) or value (edit)."""

    name: Str | None = None
    dial_mode: d.DialMode | None = None
    power_ratio: Float | None = None
    caller_id: Str | None = None
    schedule: ScheduleModel | None = None
    abandon_cap: Float | None = None
    abandon_window: d.AbandonWindow | None = None
    connect_limit_s: Float | None = None
    max_attempts: Int | None = None
    retry_delays: dict[d.Outcome, Int] | None = None
    machine_rule: d.MachineRule | None = None
    dispositions: list[DispositionModel] | None = None


class NewCampaign(CampaignSettings):
    name: Str


class CampaignOut(Body):
    id: int
    tenant_id: int
    name: str
    state: d.CampaignState
    """What operators see: ``active``, ``inactive`` (running but unable to dial), ``paused``, ``stopped``."""
    run_state: d.RunState
    inactive_reason: d.InactiveReason | None
    dial_mode: d.DialMode
    power_ratio: float
    caller_id: str
    schedule: ScheduleModel
    abandon_cap: float
    abandon_window: d.AbandonWindow
    connect_limit_s: float
    max_attempts: int
    retry_delays: dict[d.Outcome, int]
    machine_rule: d.MachineRule
    dispositions: list[DispositionModel]
    created_at: dt.datetime


def disposition_model(x: d.Disposition) -> DispositionModel:
    return DispositionModel(code=x.code, label=x.label, positive=x.positive, argued=x.argued, final=x.final,
                            callback=x.callback)


def campaign_out(c: d.Campaign) -> CampaignOut:
    s = c.schedule
    return CampaignOut(
        id=c.id, tenant_id=c.tenant_id, name=c.name, state=c.state, run_state=c.run_state,
        inactive_reason=c.inactive_reason, dial_mode=c.dial_mode, power_ratio=c.power_ratio, caller_id=c.caller_id,
        schedule=ScheduleModel(tz=s.tz, windows=[WindowModel(weekday=w.weekday, start=w.start.isoformat("minutes"),
                                                             end=w.end.isoformat("minutes")) for w in s.windows],
                               first_day=s.first_day, last_day=s.last_day),
        abandon_cap=c.abandon_cap, abandon_window=c.abandon_window, connect_limit_s=c.connect_limit_s,
        max_attempts=c.max_attempts, retry_delays=dict(c.retry_delays), machine_rule=c.machine_rule,
        dispositions=[disposition_model(x) for x in c.dispositions], created_at=moment(c.created_at))


def _time(text: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise DomainError(f"{text!r} is not a time of day (HH:MM)", "invalid-schedule") from None


def _fields(settings: CampaignSettings) -> dict[str, Any]:
    """Domain fields from the settings given."""
    given = settings.model_fields_set
    fields: dict[str, Any] = {name: getattr(settings, name) for name in given
                              if name not in ("schedule", "dispositions")}
    if None in fields.values():
        raise DomainError(f"settings {sorted(k for k, v in fields.items() if v is None)} cannot be null",
                          "invalid-campaign")
    if "schedule" in given and settings.schedule is not None:
        s = settings.schedule
        zone(s.tz)  # refuses an unknown zone (unknown-time-zone)
        fields["schedule"] = d.Schedule(tz=s.tz, windows=tuple(d.Window(w.weekday, _time(w.start), _time(w.end))
                                                                for w in s.windows),
                                        first_day=s.first_day, last_day=s.last_day)
    if "dispositions" in given and settings.dispositions is not None:
        fields["dispositions"] = tuple(d.Disposition(**x.model_dump()) for x in settings.dispositions)
    return fields


@operation(router, "GET", "", roles=MANAGERS, summary="List campaigns", response_model=Page[CampaignOut])
async def list_campaigns(caller: CallerDep, services: ServicesDep,
                         state: Annotated[d.CampaignState | None, Query()] = None, after: After = 0,
                         limit: Limit = 100) -> Page[CampaignOut]:
    found = [c for c in await services.store.campaigns(caller.tenant_id) if state is None or c.state is state]
    return page([campaign_out(c) for c in found], [c.id for c in found], after, limit)


@operation(router, "POST", "", roles=ADMINS, status_code=201, summary="Create a campaign",
           response_model=CampaignOut)
async def create_campaign(body: NewCampaign, caller: CallerDep, services: ServicesDep) -> CampaignOut:
    """It starts stopped."""
    draft = d.Campaign(id=0, tenant_id=caller.tenant_id, **_fields(body))
    created = await services.store.create_campaign(draft)
    sized(services.aggregator, "campaign", created.id)
    return campaign_out(created)


@operation(router, "GET", "/{campaign_id}", roles=MANAGERS, summary="A campaign", response_model=CampaignOut)
async def get_campaign(campaign_id: Key, caller: CallerDep, services: ServicesDep) -> CampaignOut:
    return campaign_out(await _owned.campaign(services, caller, campaign_id))


@operation(router, "PATCH", "/{campaign_id}", roles=ADMINS, summary="Edit a campaign's settings",
           response_model=CampaignOut)
async def edit_campaign(campaign_id: Key, body: CampaignSettings, caller: CallerDep,
                        services: ServicesDep) -> CampaignOut:
    await _owned.campaign(services, caller, campaign_id)
    return campaign_out(await services.store.edit_campaign(campaign_id, **_fields(body)))


def _action(action: str) -> None:
    async def act(campaign_id: Key, caller: CallerDep, services: ServicesDep) -> CampaignOut:
        await _owned.campaign(services, caller, campaign_id)
        return campaign_out(await services.campaigns.act(campaign_id, action))

    act.__name__ = f"{action}_campaign"
    act.__doc__ = f"Refused with 409 ``invalid-transition`` from a state {action} does not apply to."
    operation(router, "POST", f"/{{campaign_id}}/{action}", roles=MANAGERS, summary=f"{action.capitalize()} a campaign",
              response_model=CampaignOut)(act)


for _name in ("start", "pause", "resume", "stop"):
    _action(_name)


class ListFigures(Body):
    id: int
    name: str
    status: d.ListStatus
    priority: int
    contacts_by_state: dict[str, int]


class PerformanceOut(Body):
    campaign: CampaignOut
    indicators: ReportOut
    lists: list[ListFigures]


@operation(router, "GET", "/{campaign_id}/performance", roles=MANAGERS, summary="A campaign's performance",
           response_model=PerformanceOut)
async def performance(campaign_id: Key, caller: CallerDep, services: ServicesDep,
                      period: Period = "day") -> PerformanceOut:
    """Its indicators for the period (with trends) and where its lists stand."""
    campaign = await _owned.campaign(services, caller, campaign_id)
    lists = [ListFigures(id=x.id, name=x.name, status=x.status, priority=x.priority,
                         contacts_by_state=await services.store.list_counts(x.id))
             for x in await services.store.contact_lists(campaign_id)]
    return PerformanceOut(campaign=campaign_out(campaign), lists=lists,
                          indicators=report_out(services.aggregator, period, Dimension.CAMPAIGN, campaign_id))


@operation(router, "GET", "/{campaign_id}/dispositions", roles=MANAGERS, summary="A campaign's dispositions",
           response_model=list[DispositionModel])
async def dispositions(campaign_id: Key, caller: CallerDep, services: ServicesDep) -> list[DispositionModel]:
    campaign = await _owned.campaign(services, caller, campaign_id)
    return [disposition_model(x) for x in campaign.dispositions]


@operation(router, "PUT", "/{campaign_id}/dispositions", roles=ADMINS, summary="Replace a campaign's dispositions",
           response_model=list[DispositionModel])
async def set_dispositions(campaign_id: Key, body: list[DispositionModel], caller: CallerDep,
                           services: ServicesDep) -> list[DispositionModel]:
    """Which qualifications count as positive, argued, final or needing a callback (seed 000)."""
    await _owned.campaign(services, caller, campaign_id)
    edited = await services.store.edit_campaign(
        campaign_id, dispositions=tuple(d.Disposition(**x.model_dump()) for x in body))
    return [disposition_model(x) for x in edited.dispositions]


class CallOut(Body):
    id: int
    campaign_id: int
    list_id: int
    contact_id: int
    phone: str
    placed_at: dt.datetime
    ringing_at: dt.datetime | None
    answered_at: dt.datetime | None
    connected_at: dt.datetime | None
    ended_at: dt.datetime | None
    wrapup_ended_at: dt.datetime | None
    outcome: d.Outcome | None
    agent_id: int | None
    disposition: str | None
    positive: bool
    argued: bool


def call_out(c: d.CallRecord) -> CallOut:
    values = dataclasses.asdict(c)
    for name in ("placed_at", "ringing_at", "answered_at", "connected_at", "ended_at", "wrapup_ended_at"):
        values[name] = moment(values[name])
    return CallOut(**values)


@operation(router, "GET", "/{campaign_id}/calls", roles=MANAGERS, summary="A campaign's call records",
           response_model=Page[CallOut])
async def calls(campaign_id: Key, caller: CallerDep, services: ServicesDep,
                since: Annotated[Moment | None, Query()] = None, until: Annotated[Moment | None, Query()] = None,
                after: After = 0, limit: Limit = 100) -> Page[CallOut]:
    """Calls placed in [since, until), by id."""
    await _owned.campaign(services, caller, campaign_id)
    found = await services.store.calls(campaign_id, since=micros(since) if since else 0,
                                       until=micros(until) if until else None, after_id=after, limit=limit + 1)
    return page([call_out(c) for c in found], [c.id for c in found], after, limit)
