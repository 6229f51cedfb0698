"""Indicators (seed 002): a period's figures with trend and the comparison behind it, chart
series, figures per agent, and the live dashboard (seed 000), read from the indicator engine."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from ccengine import domain as d
from ccengine.api import _owned
from ccengine.api._auth import ALL_ROLES, MANAGERS, Caller, CallerDep
from ccengine.api._models import Body, QueryKey, moment
from ccengine.api._problems import Problem
from ccengine.api._routing import operation
from ccengine.api._services import Services, ServicesDep
from ccengine.metrics import INDICATORS, Aggregator

router = APIRouter(prefix="/api/indicators", tags=["indicators"])

Period = Literal["day", "week", "month"]


class Dimension(enum.StrEnum):
    TENANT = "tenant"
    CAMPAIGN = "campaign"
    LIST = "list"
    AGENT = "agent"


# One member per indicator the native engine names, read at import; mypy cannot list the members
# of an enum built from a computed dict (misc).
Indicator = enum.StrEnum("Indicator", {name: name for name in INDICATORS})  # type: ignore[misc]


class IndicatorOut(Body):
    value: float | None
    previous: float | None
    """The previous period's value it is compared with."""
    trend: Literal["up", "down", "stable"] | None
    comparison: Literal["to_date", "whole"]
    """``to_date``: against the previous period up to the same elapsed time (sums); ``whole``:
    against the whole previous period (averages and rates)."""


class ReportOut(Body):
    period: Period
    dimension: Dimension
    entity_id: int
    start: dt.datetime
    end: dt.datetime
    previous_start: dt.datetime
    previous_end: dt.datetime
    now: dt.datetime
    indicators: dict[str, IndicatorOut]


class Point(Body):
    at: dt.datetime
    value: float | None


class SeriesOut(Body):
    period: Period
    indicator: str
    dimension: Dimension
    entity_id: int
    points: list[Point]


class AgentFigures(Body):
    agent_id: int
    name: str
    indicators: dict[str, float | None]


class LiveOut(Body):
    """Seed 000's dashboard for the caller's tenant, now."""

    now: dt.datetime
    agents_by_state: dict[str, int]
    agents_connected: int
    active_campaigns: int
    active_lists: int
    production_hours: float | None
    argued_calls: float | None
    argued_share: float | None
    positive_contacts: float | None
    positive_share: float | None
    abandon_rate: float | None
    shared_callbacks_pending: int


def sized(aggregator: Aggregator, dimension: str, entity: int) -> None:
    """Grows the engine's id space to an entity created after it was sized (its figures are 0)."""
    if entity >= aggregator.sizes[dimension]:
        aggregator.resize(dimension, entity + 1)  # type: ignore[arg-type]


async def entity_of(services: Services, caller: Caller, dimension: Dimension, entity_id: int | None) -> int:
    """The entity a caller asks about, checked: the tenant is always the caller's own, and an
    agent sees only their own figures."""
    if caller.role is d.Role.AGENT:
        if dimension is not Dimension.AGENT or entity_id not in (None, caller.agent_id) or caller.agent_id is None:
            raise Problem(403, "forbidden", "an agent sees only their own indicators (dimension=agent)")
        return caller.agent_id
    if dimension is Dimension.TENANT:
        if entity_id not in (None, caller.tenant_id):
            raise Problem(404, "not-found", f"no tenant {entity_id}")
        return caller.tenant_id
    if entity_id is None:
        raise Problem(422, "invalid-request", f"dimension {dimension} needs an entity_id")
    lookup = {Dimension.CAMPAIGN: _owned.campaign, Dimension.LIST: _owned.contact_list, Dimension.AGENT: _owned.agent}
    await lookup[dimension](services, caller, entity_id)
    return entity_id


def report_out(aggregator: Aggregator, period: Period, dimension: Dimension, entity: int,
               names: list[str] | None = None) -> ReportOut:
    sized(aggregator, dimension.value, entity)
    r = aggregator.report(d.now_us(), period, dimension.value, entity)
    wanted = set(names) if names else None
    return ReportOut(
        period=period, dimension=dimension, entity_id=entity, start=moment(r.start), end=moment(r.end),
        previous_start=moment(r.previous_start), previous_end=moment(r.previous_end), now=moment(r.now),
        indicators={name: IndicatorOut(value=v.value, previous=v.previous, trend=v.trend, comparison=v.comparison)
                    for name, v in r.indicators.items() if wanted is None or name in wanted})


@operation(router, "GET", "", roles=ALL_ROLES, summary="Indicators of a period, with trends", response_model=ReportOut)
async def indicators(caller: CallerDep, services: ServicesDep, period: Period = "week",
                     dimension: Dimension = Dimension.TENANT, entity_id: QueryKey = None,
                     names: Annotated[list[Indicator] | None, Query(description="only these indicators")] = None,
                     ) -> ReportOut:
    """A period (the current day, week or month so far) of the caller's tenant, or one of its
    campaigns, lists or agents; each indicator with the previous period's value, its trend and
    which comparison was made (seed 002). An agent gets their own figures (dimension=agent)."""
    if caller.role is d.Role.AGENT and dimension is Dimension.TENANT and entity_id is None:
        dimension = Dimension.AGENT
    entity = await entity_of(services, caller, dimension, entity_id)
    return report_out(services.aggregator, period, dimension, entity, [n.value for n in names or ()])


@operation(router, "GET", "/series", roles=ALL_ROLES, summary="Chart points of one indicator",
           response_model=SeriesOut)
async def series(caller: CallerDep, services: ServicesDep, indicator: Indicator, period: Period = "week",
                 dimension: Dimension = Dimension.TENANT,
                 entity_id: QueryKey = None) -> SeriesOut:
    """By local hour for a day, by local day for a week or month."""
    if caller.role is d.Role.AGENT and dimension is Dimension.TENANT and entity_id is None:
        dimension = Dimension.AGENT
    entity = await entity_of(services, caller, dimension, entity_id)
    sized(services.aggregator, dimension.value, entity)
    points = services.aggregator.series(d.now_us(), period, indicator.value, dimension.value, entity)
    return SeriesOut(period=period, indicator=indicator.value, dimension=dimension, entity_id=entity,
                     points=[Point(at=d.to_datetime(at), value=v) for at, v in points])


async def agent_rows(services: Services, caller: Caller, period: Period) -> list[AgentFigures]:
    agents = await services.store.agents(caller.tenant_id)
    if not agents:
        return []
    sized(services.aggregator, "agent", max(a.id for a in agents))
    table = services.aggregator.table(d.now_us(), period, "agent")
    return [AgentFigures(agent_id=a.id, name=a.name, indicators=table.row(a.id)) for a in agents]


@operation(router, "GET", "/agents", roles=MANAGERS, summary="Every agent's indicators",
           response_model=list[AgentFigures])
async def by_agent(caller: CallerDep, services: ServicesDep, period: Period = "day") -> list[AgentFigures]:
    return await agent_rows(services, caller, period)


async def live_figures(services: Services, tenant_id: int) -> LiveOut:
    now = d.now_us()
    statuses = await services.store.agent_statuses(tenant_id)
    by_state = {s.value: 0 for s in d.AgentState}
    for s in statuses:
        by_state[s.state.value] += 1
    campaigns = await services.store.campaigns(tenant_id)
    shared = 0
    for c in campaigns:
        shared += len(await services.store.callbacks(c.id, shared=True))
    sized(services.aggregator, "tenant", tenant_id)
    today = services.aggregator.values(now, "day", "tenant", tenant_id)
    return LiveOut(
        now=d.to_datetime(now), agents_by_state=by_state,
        agents_connected=sum(n for s, n in by_state.items() if s != d.AgentState.LOGGED_OUT),
        active_campaigns=sum(c.state is d.CampaignState.ACTIVE for c in campaigns),
        active_lists=int(today["active_lists"] or 0), production_hours=today["production_hours"],
        argued_calls=today["argued_calls"], argued_share=today["argued_share"],
        positive_contacts=today["positive_contacts"], positive_share=today["positive_share"],
        abandon_rate=today["abandon_rate"], shared_callbacks_pending=shared)


@operation(router, "GET", "/live", roles=MANAGERS, summary="The dashboard now", response_model=LiveOut)
async def live(caller: CallerDep, services: ServicesDep) -> LiveOut:
    return await live_figures(services, caller.tenant_id)
