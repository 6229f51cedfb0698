"""The campaign task: one trio service per running campaign. Every tick it builds the pacer's
snapshot, asks the pacer how many calls to place, claims that many contacts and originates them
through the trunk; the telephony and media events of its calls drive each call's ``CallFlow``,
whose actions it carries out (bridge onto a free agent's session leg, abandon prompt, hang up,
end). Every step is written to the call record as it happens, so a crash loses nothing that
``Store.recover`` cannot resolve. The campaign's run state is read every tick: stop and pause
take effect within one tick (calls in flight finish normally).

Answering-machine detection is not wired yet: flows are built without it, so they never ask for
``Detect`` or the machine message."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import trio

from ccengine import domain as d
from ccengine.agents import AgentService
from ccengine.dialer._board import ActiveCall, CallBoard
from ccengine.dialer._call_flow import Action, Bridge, CallFlow, End, FlowState, Hangup, Play, WantAgent
from ccengine.dialer._live import LiveCampaign
from ccengine.dialer._router import EventRouter
from ccengine.dialer._sessions import AgentSessions
from ccengine.errors import TelephonyError
from ccengine.pacing import Pacer
from ccengine.store import CallEnd, CallProgress, Claim, Store
from ccengine.telephony import Answered, Failed, HungUp, Media, MediaEvent, Ringing, SipEvent, Telephony

__all__ = ["CampaignTask", "Dialling"]

#: Seconds between pacing decisions.
TICK = 0.1
#: Microseconds between two counts of the records left in the store; in between, the task
#: takes off what it claims (a count walks every pending contact: not for every tick).
RECOUNT_US = d.SECOND
#: Compliance windows in microseconds, to reload the abandon tallies when the task starts.
_WINDOW_US = {d.AbandonWindow.DAYS_30: 30 * 86_400 * d.SECOND, d.AbandonWindow.HOURS_24: 86_400 * d.SECOND}


@dataclass(frozen=True, slots=True)
class Dialling:
    """How a campaign's calls are placed: what the campaign record does not hold yet."""

    trunk: str
    abandon_prompt: Path
    """The WAV played to a person abandoned for want of an agent."""
    ring_timeout: float = 25.0
    wrapup_s: float = 1.0
    """Wrap-up length until agents disposition calls themselves: the agent is made available
    again this long after a call ends."""


@dataclass(slots=True)
class _Call:
    call_id: int
    leg: int
    flow: CallFlow
    agent_id: int | None = None


class CampaignTask:
    def __init__(self, campaign_id: int, dialling: Dialling, *, store: Store, agents: AgentService,
                 telephony: Telephony, media: Media, router: EventRouter, sessions: AgentSessions,
                 board: CallBoard | None = None, owner: str = "dialer") -> None:
        self.campaign_id = campaign_id
        self.dialling = dialling
        self.store = store
        self.agents = agents
        self.telephony = telephony
        self.media = media
        self.router = router
        self.sessions = sessions
        self.board = CallBoard() if board is None else board
        self.owner = owner
        self._calls: dict[int, _Call] = {}
        self.live: LiveCampaign | None = None
        self.placed = 0
        self._records_left: int | None = None
        self._counted_at = 0
        self._nursery: trio.Nursery | None = None
        sessions.watch(self._agent_changed)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        camp = await self.store.campaign(self.campaign_id)
        live = LiveCampaign(camp.abandon_window)
        window = _WINDOW_US.get(camp.abandon_window)
        live.restore(await self.store.abandon_minutes(camp.id, 0 if window is None else d.now_us() - window))
        self.live = live
        pacer = Pacer(camp.dial_mode.value, ratio=camp.power_ratio, abandon_cap=camp.abandon_cap,
                      window=camp.abandon_window.value, connect_limit=camp.connect_limit_s,
                      ring_timeout=self.dialling.ring_timeout)
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            task_status.started()
            while True:
                camp = await self.store.campaign(self.campaign_id)
                now = d.now_us()
                await self._offer_agents(now)
                for call in list(self._calls.values()):
                    await self._carry_out(call, call.flow.tick(now))
                if camp.run_state is d.RunState.RUNNING:
                    await self._pace(camp, pacer, live, now)
                await trio.sleep(TICK)

    async def _pace(self, camp: d.Campaign, pacer: Pacer, live: LiveCampaign, now: int) -> None:
        if self._records_left is None or now - self._counted_at >= RECOUNT_US:
            self._records_left, self._counted_at = await self.store.pending_contacts(camp.id), now
        records_left = self._records_left
        local = dt.datetime.fromtimestamp(now / d.SECOND, ZoneInfo(camp.schedule.tz))
        time_left = camp.schedule.open_for(local)
        snapshot = live.snapshot(now, records_left=records_left, time_left=time_left)
        reason = self._inactive_reason(records_left, time_left, snapshot.agents)
        if reason != camp.inactive_reason:
            await self.store.set_inactive_reason(camp.id, reason)
        place = pacer.decide(snapshot).place
        if place <= 0:
            return
        claims = await self.store.claim_contacts(camp.id, place, now, self.owner)
        self._records_left = max(0, records_left - len(claims))
        for claim in claims:
            await self._originate(camp, claim, live)

    def _inactive_reason(self, records_left: int, time_left: float, agents: int) -> d.InactiveReason | None:
        """Why the running campaign cannot dial now (seeds 003/004), None when it can."""
        if records_left == 0 and not self._calls:
            return d.InactiveReason.LISTS_EXHAUSTED
        if time_left <= 0:
            return d.InactiveReason.OUTSIDE_HOURS
        if agents == 0:
            return d.InactiveReason.NO_AGENTS
        return None

    async def _originate(self, camp: d.Campaign, claim: Claim, live: LiveCampaign) -> None:
        call_id, phone = claim.call_id, claim.contact.phone
        flow = CallFlow(connect_limit_s=camp.connect_limit_s, machine_rule=camp.machine_rule, detect_machines=False)
        now = d.now_us()
        try:
            leg = self.telephony.originate(trunk=self.dialling.trunk, number=phone, caller_id=camp.caller_id,
                                           timeout=self.dialling.ring_timeout)
        except TelephonyError:
            live.placed(call_id, now)
            live.ended_unanswered(call_id, d.Outcome.FAILED)
            await self.store.end_calls([CallEnd(call_id, d.Outcome.FAILED, now)])
            return
        call = _Call(call_id, leg, flow)
        self._calls[leg] = call
        self.router.own(leg, self._handle)
        self.board.put(ActiveCall(call_id, camp.tenant_id, camp.id, claim.contact.id, phone, flow.state, now, now, leg))
        live.placed(call_id, now)
        self.placed += 1

    async def _handle(self, event: SipEvent | MediaEvent) -> None:
        now = d.now_us()
        match event:
            case Ringing(leg=leg) if leg in self._calls:
                await self.store.progress_calls([CallProgress(self._calls[leg].call_id, ringing_at=now)])
            case Answered(leg=leg) if leg in self._calls:
                call = self._calls[leg]
                await self.store.progress_calls([CallProgress(call.call_id, answered_at=now)])
                await self._carry_out(call, call.flow.answered(now))
            case Failed(leg=leg, outcome=outcome) if leg in self._calls:
                call = self._calls.pop(leg)
                self.router.release(leg)
                await self._carry_out(call, call.flow.failed(outcome))
            case HungUp(leg=leg) if leg in self._calls:
                call = self._calls.pop(leg)
                self.router.release(leg)
                await self._carry_out(call, call.flow.hung_up())
            case MediaEvent(kind="prompt-ended"):
                media_leg = event.fields.get("leg")
                owner = None if media_leg is None else self.telephony.sip_leg(media_leg)
                if owner is not None and owner in self._calls:
                    call = self._calls[owner]
                    await self._carry_out(call, call.flow.prompt_ended())

    async def _carry_out(self, call: _Call, actions: list[Action]) -> None:
        live = self.live
        assert live is not None
        for action in actions:
            now = d.now_us()
            match action:
                case WantAgent():
                    live.person_answered(call.call_id, now)
                    await self._offer_agents(now)
                case Bridge(agent_id=agent_id):
                    await self._bridge(call, agent_id, now)
                case Play(prompt="abandon"):
                    live.abandoned(call.call_id, now)
                    media_leg = self.telephony.media_leg(call.leg)
                    if media_leg is None:  # gone meanwhile: its HungUp ends the call
                        continue
                    self.media.play(media_leg, self.dialling.abandon_prompt)
                case Hangup(cause=cause):
                    try:
                        self.telephony.hangup(call.leg, cause)
                    except TelephonyError:
                        continue  # already ended: its HungUp follows
                case End(outcome=outcome, agent_id=agent_id):
                    self.board.drop(call.call_id)
                    await self.store.end_calls([CallEnd(call.call_id, outcome, now)])
                    if not outcome.reached_person:
                        live.ended_unanswered(call.call_id, outcome)
                    elif outcome is d.Outcome.ABANDONED and call.call_id in dict(live.waiting()):
                        live.abandoned(call.call_id, now)
                    if agent_id is not None:
                        await self._wrap_up(agent_id)
        if call.flow.state is not FlowState.ENDED:
            self.board.move(call.call_id, call.flow.state, d.now_us(), agent_id=call.agent_id)

    async def _offer_agents(self, now: int) -> None:
        """People waiting get free agents, longest waiting first."""
        live = self.live
        assert live is not None
        for call_id, _ in live.waiting():
            call = next((c for c in self._calls.values() if c.call_id == call_id), None)
            free = [a for a in live.idle_agents() if self.sessions.leg_of(a) is not None]
            if call is None or not free:
                return
            await self._carry_out(call, call.flow.agent_free(free[0], now))

    async def _bridge(self, call: _Call, agent_id: int, now: int) -> None:
        live = self.live
        session = self.sessions.leg_of(agent_id)
        assert live is not None and session is not None
        live.agent(agent_id, d.AgentState.RESERVED, now)
        call.agent_id = agent_id
        # If the customer hung up meanwhile, the HungUp that follows ends the call and the agent's turn.
        with contextlib.suppress(TelephonyError):
            self.telephony.bridge(call.leg, session)
        live.connected(call.call_id)
        await self.agents.reserve(agent_id, call.call_id, at=now)
        status = await self.agents.connect(agent_id, call.call_id, self.campaign_id)
        live.agent(agent_id, status.state, status.since)
        await self.store.progress_calls([CallProgress(call.call_id, connected_at=now, agent_id=agent_id)])

    async def _wrap_up(self, agent_id: int) -> None:
        live = self.live
        assert live is not None and self._nursery is not None
        if self.sessions.leg_of(agent_id) is None:
            return  # the session ended during the call: the agent is logged out already
        status = await self.agents.hangup(agent_id)
        live.agent(agent_id, status.state, status.since)
        self._nursery.start_soon(self._end_wrap_up, agent_id)

    async def _end_wrap_up(self, agent_id: int) -> None:
        await trio.sleep(self.dialling.wrapup_s)
        if self.sessions.leg_of(agent_id) is None:
            return  # logged out meanwhile
        status = await self.agents.end_wrapup(agent_id)
        assert self.live is not None
        self.live.agent(agent_id, status.state, status.since)

    def _agent_changed(self, agent_id: int, state: d.AgentState, campaigns: frozenset[int], now: int) -> None:
        if self.live is not None and (self.campaign_id in campaigns or state is d.AgentState.LOGGED_OUT):
            self.live.agent(agent_id, state, now)
