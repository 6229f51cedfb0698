"""The campaign task: one trio service per running campaign. Every tick it builds the pacer's
snapshot, asks the pacer how many calls to place, claims that many contacts and originates them
through the trunk; the telephony and media events of its calls drive each call's ``CallFlow``,
whose actions it carries out (bridge onto a free agent's session leg, abandon prompt, hang up,
end). Every step is written to the call record as it happens, so a crash loses nothing that
``Store.recover`` cannot resolve. The campaign's run state is read every tick: stop and pause
take effect within one tick (calls in flight finish normally). Due callbacks are dialled before
new contacts, each with an agent reserved for it. Every step sends its indicator event.

An agent of several campaigns is counted by one pacer at a time: the dialer's ``AgentShares``
names the campaign counting each free agent, and the others' snapshots leave them out.

Cancelling ``run`` (engine shutdown, campaign removed) hangs up the calls in flight and records
them, gives back claimed contacts not yet dialled and frees the agents reserved, shielded from
the cancellation and bounded by ``STOP_DEADLINE``."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import trio

from ccengine import domain as d
from ccengine.agents import AgentService
from ccengine.campaigns import CampaignService
from ccengine.dialer._board import ActiveCall, CallBoard
from ccengine.dialer._call_events import CallEvents
from ccengine.dialer._call_flow import Action, Bridge, CallFlow, Detect, End, FlowState, Hangup, Play, WantAgent
from ccengine.dialer._live import LiveCampaign
from ccengine.dialer._router import EventRouter
from ccengine.dialer._sessions import AgentSessions
from ccengine.dialer._shares import AgentShares
from ccengine.dialer._wrapups import WrapUps
from ccengine.errors import AgentStateError, Conflict, MediaError, NotFound, TelephonyError
from ccengine.metrics import Event
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
#: Seconds a stopping task may spend hanging up and recording its calls.
STOP_DEADLINE = 5.0
#: Latest person-to-bridge delays a task keeps for the benchmarks (bench/dialer_load.py).
BRIDGE_DELAYS_KEPT = 10_000


@dataclass(frozen=True, slots=True)
class Dialling:
    """How a campaign's calls are placed: what the campaign record does not hold yet."""

    trunk: str
    abandon_prompt: Path
    """The WAV played to a person abandoned for want of an agent."""
    ring_timeout: float = 25.0
    wrapup_s: float = 60.0
    """The longest wrap-up: an agent who has not qualified their call by then is made available
    anyway (a disposition ends the wrap-up at once)."""
    machine_message: Path | None = None
    """The WAV left on answering machines under the ``message`` rule (without one, machines are
    dropped)."""
    after_greeting_silence_ms: int = 800
    """The detector's silence after a short greeting that makes it a person (docs/media.md): the
    connect limit runs from the greeting's end, this long before the verdict."""


@dataclass(slots=True)
class _Call:
    call_id: int
    list_id: int
    leg: int
    flow: CallFlow
    agent_id: int | None = None
    reserved: int | None = None
    """The agent kept for this call (a callback) until it is bridged or ends."""
    bridged_at: int | None = None
    """When the customer's leg was bridged onto the agent's session leg (µs)."""
    taken_over_by: int | None = None
    """The supervisor (user id) who took the call over, releasing its agent."""


class CampaignTask:
    def __init__(self, campaign_id: int, dialling: Dialling, *, store: Store, agents: AgentService,
                 telephony: Telephony, media: Media, router: EventRouter, sessions: AgentSessions,
                 board: CallBoard | None = None, wrapups: WrapUps | None = None,
                 events: trio.MemorySendChannel[Event] | None = None, campaigns: CampaignService | None = None,
                 shares: AgentShares | None = None, owner: str = "dialer") -> None:
        """``wrapups``: the dialer's shared wrap-ups (one of its own, run inside ``run``, when
        none is given); ``shares``: the dialer's apportioning of free agents between its
        campaigns' pacers (one of its own when none is given: every free agent counted);
        ``events``: where indicator events go (``MetricsService.sender()``); ``campaigns``: the
        campaign service, through which the inactive reason is set (so the
        campaign's activation is counted and shown live; the store directly without one)."""
        self.campaign_id = campaign_id
        self.dialling = dialling
        self.store = store
        self.agents = agents
        self.telephony = telephony
        self.media = media
        self.router = router
        self.sessions = sessions
        self.board = CallBoard() if board is None else board
        self.campaigns = campaigns
        self._own_wrapups = wrapups is None
        self.wrapups = WrapUps(store, agents, ceiling_s=dialling.wrapup_s, events=events) if wrapups is None \
            else wrapups
        self.shares = AgentShares() if shares is None else shares
        self._events = events
        self.owner = owner
        self._calls: dict[int, _Call] = {}
        """Calls in flight by customer SIP leg."""
        self._unplaced: dict[int, d.Callback | None] = {}
        """Call ids claimed from the store and not yet originated, with the callback claimed."""
        self.call_events: CallEvents | None = None
        self.live: LiveCampaign | None = None
        self.placed = 0
        self._records_left: int | None = None
        self._counted_at = 0
        self.bridge_delays: deque[int] = deque(maxlen=BRIDGE_DELAYS_KEPT)
        """Microseconds from the moment a call is known to be a person (the answer, or the
        detector's verdict) to its leg being bridged, for people bridged by the offer their own
        answer started (an agent was free: waiting for one is pacing, not latency); the latest
        ``BRIDGE_DELAYS_KEPT``, read by the benchmarks."""

    @property
    def idle(self) -> bool:
        """No call in flight: a stopped campaign's task can end without cutting anyone off."""
        return not self._calls

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Dials until cancelled (or until the campaign is removed), then stops cleanly."""
        camp = await self.store.campaign(self.campaign_id)
        live = LiveCampaign(camp.abandon_window, campaign_id=camp.id, shares=self.shares)
        window = _WINDOW_US.get(camp.abandon_window)
        live.restore(await self.store.abandon_minutes(camp.id, 0 if window is None else d.now_us() - window))
        self.live = live
        self.shares.join(camp.id, live)
        self.call_events = CallEvents(self._events, tenant_id=camp.tenant_id, campaign_id=camp.id)
        pacer = Pacer(camp.dial_mode.value, ratio=camp.power_ratio, abandon_cap=camp.abandon_cap,
                      window=camp.abandon_window.value, connect_limit=camp.connect_limit_s,
                      ring_timeout=self.dialling.ring_timeout)
        # Every transition of an agent, whoever asked for it (this task, another campaign's, the
        # API, a supervisor, a session lost), reaches this campaign's view through the service.
        self.agents.watch(self._agent_changed)
        for agent_id in self.sessions.agents_of(camp.id):  # logged in before the campaign started
            self._agent_changed(await self.store.agent_status(agent_id))
        try:
            async with trio.open_nursery() as nursery:
                if self._own_wrapups:
                    await nursery.start(self.wrapups.run)
                task_status.started()
                try:
                    await self._loop(pacer, live)
                finally:
                    with trio.CancelScope(shield=True) as scope:
                        scope.deadline = trio.current_time() + STOP_DEADLINE
                        await self._stop()
                nursery.cancel_scope.cancel()
        finally:
            self.agents.unwatch(self._agent_changed)
            self.shares.leave(camp.id)

    async def _loop(self, pacer: Pacer, live: LiveCampaign) -> None:
        while True:
            try:
                camp = await self.store.campaign(self.campaign_id)
            except NotFound:
                return  # removed: stop as on cancellation
            now = d.now_us()
            await self._offer_agents(now)
            for call in list(self._calls.values()):
                await self._carry_out(call, call.flow.tick(now))
            if camp.run_state is d.RunState.RUNNING:
                await self._dial_callbacks(camp, live, now)
                await self._pace(camp, pacer, live, now)
            else:  # paused or stopped: no free agent is counted here while others dial
                self.shares.dialling(camp.id, False)
            await trio.sleep(TICK)

    async def _stop(self) -> None:
        """Hangs up and records every call in flight (a connected agent goes to wrap-up, a
        reserved one is freed) and gives back the claims not dialled yet."""
        calls, self._calls = list(self._calls.values()), {}
        for call in calls:
            self.router.release(call.leg)
            await self._carry_out(call, call.flow.stopped())
        live = self.live
        assert live is not None
        for agent_id in live.reserved_agents():  # kept for a callback cut off before it was placed
            held = await self.store.agent_status(agent_id)  # (or by another campaign: left alone)
            if held.call_id in self._unplaced and self.sessions.leg_of(agent_id) is not None:
                await self.agents.release(agent_id)
        if self._unplaced:
            await self.store.release_claims(sorted(self._unplaced))
            for callback in self._unplaced.values():
                if callback is not None:  # its claim closed it: back on the agenda as it was
                    await self.store.schedule_callback(callback.contact_id, callback.due_at, agent_id=callback.agent_id,
                                                       note=callback.note)
            self._unplaced.clear()

    async def _pace(self, camp: d.Campaign, pacer: Pacer, live: LiveCampaign, now: int) -> None:
        if self._records_left is None or now - self._counted_at >= RECOUNT_US:
            self._records_left, self._counted_at = await self.store.pending_contacts(camp.id), now
        records_left = self._records_left
        local = dt.datetime.fromtimestamp(now / d.SECOND, ZoneInfo(camp.schedule.tz))
        time_left = camp.schedule.open_for(local)
        self.shares.dialling(camp.id, records_left > 0 and time_left > 0)
        snapshot = live.snapshot(now, records_left=records_left, time_left=time_left)
        reason = self._inactive_reason(records_left, time_left, live.logged_in)
        if reason != camp.inactive_reason:
            if self.campaigns is not None:
                await self.campaigns.set_inactive_reason(camp.id, reason)
            else:
                await self.store.set_inactive_reason(camp.id, reason)
        place = pacer.decide(snapshot).place
        if place <= 0:
            return
        claims = await self.store.claim_contacts(camp.id, place, now, self.owner)
        self._unplaced.update(dict.fromkeys((claim.call_id for claim in claims), None))
        self._records_left = max(0, records_left - len(claims))
        for claim in claims:
            await self._originate(camp, claim, live)

    async def _dial_callbacks(self, camp: d.Campaign, live: LiveCampaign, now: int) -> None:
        """Due callbacks go before new contacts, each with an agent kept for it: a personal one
        only when its agent is logged in and free, a shared one with any free agent."""
        free = [a for a in live.idle_agents() if self.sessions.leg_of(a) is not None]
        while free:
            due = await self.store.claim_due_callbacks(camp.id, now, free, 1, self.owner)
            if not due:
                return
            callback, claim = due[0]
            self._unplaced[claim.call_id] = callback
            agent_id = free[0] if callback.agent_id is None else callback.agent_id
            free.remove(agent_id)
            reserved: int | None = agent_id
            try:
                await self.agents.reserve(agent_id, claim.call_id, at=now)
            except AgentStateError:  # taken by another campaign meanwhile: dialled without them
                reserved = None
            await self._originate(camp, claim, live, reserved=reserved)
            assert self.call_events is not None
            await self.call_events.callback_done(claim.call_id, claim.contact.list_id, agent_id,
                                                 shared=callback.shared, now=now)

    def _inactive_reason(self, records_left: int, time_left: float, agents: int) -> d.InactiveReason | None:
        """Why the running campaign cannot dial now (seeds 003/004), None when it can."""
        if records_left == 0 and not self._calls:
            return d.InactiveReason.LISTS_EXHAUSTED
        if time_left <= 0:
            return d.InactiveReason.OUTSIDE_HOURS
        if agents == 0:
            return d.InactiveReason.NO_AGENTS
        return None

    async def _originate(self, camp: d.Campaign, claim: Claim, live: LiveCampaign, *,
                         reserved: int | None = None) -> None:
        call_id, phone = claim.call_id, claim.contact.phone
        flow = CallFlow(connect_limit_s=camp.connect_limit_s, machine_rule=camp.machine_rule,
                        detect_machines=camp.machine_rule is not d.MachineRule.AGENT)
        now = d.now_us()
        # No checkpoint from here until the call is held (in flight, or ended below): a stop
        # between the two would neither give the claim back nor hang the call up.
        self._unplaced.pop(call_id, None)
        live.placed(call_id, now)
        try:
            leg = self.telephony.originate(trunk=self.dialling.trunk, number=phone, caller_id=camp.caller_id,
                                           timeout=self.dialling.ring_timeout)
        except TelephonyError:
            call = _Call(call_id, claim.contact.list_id, -1, flow, reserved=reserved)
            await self._send_placed(call, now)
            await self._end(call, d.Outcome.FAILED)
            return
        call = _Call(call_id, claim.contact.list_id, leg, flow, reserved=reserved)
        self._calls[leg] = call
        self.router.own(leg, self._handle)
        self.board.put(ActiveCall(call_id, camp.tenant_id, camp.id, claim.contact.id, phone, flow.state, now, now, leg))
        self.placed += 1
        await self._send_placed(call, now)

    async def take_over(self, call_id: int, supervisor_id: int) -> int:
        """A supervisor takes a connected call over (DESIGN.md): the agent's session leg leaves
        the call for a room of its own and the agent is free for their next call at once; the
        customer stays in the call's room with the supervisor, who qualifies the call once it
        ends. Returns the agent released; Conflict (``agent-not-on-call``) when the call is not
        this task's or not connected to an agent."""
        call = self._call(call_id)
        agent_id = None if call is None else call.agent_id
        if call is None or agent_id is None or not call.flow.taken_over():
            raise Conflict(f"call {call_id} is not connected to an agent", "agent-not-on-call")
        call.agent_id, call.taken_over_by = None, supervisor_id
        self.board.take_over(call_id, supervisor_id)
        session = self.sessions.leg_of(agent_id)
        if session is not None:
            # Unbridged meanwhile (the customer hung up): the HungUp that follows ends the call.
            with contextlib.suppress(TelephonyError):
                self.telephony.detach(session)
        with contextlib.suppress(AgentStateError):  # their session ended meanwhile: logged out already
            await self.agents.taken_over(agent_id, by_user=supervisor_id)
        return agent_id

    async def _send_placed(self, call: _Call, now: int) -> None:
        assert self.call_events is not None
        await self.call_events.placed(call.call_id, call.list_id, now)

    async def _handle(self, event: SipEvent | MediaEvent) -> None:
        now = d.now_us()
        match event:
            case Ringing(leg=leg) if leg in self._calls:
                call = self._calls[leg]
                await self.store.progress_calls([CallProgress(call.call_id, ringing_at=now)])
                assert self.call_events is not None
                await self.call_events.ringing(call.call_id, call.list_id, now)
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
                played = self._call_of_media(event)
                if played is not None:
                    await self._carry_out(played, played.flow.prompt_ended())
            case MediaEvent(kind="detection"):
                heard = self._call_of_media(event)
                if heard is not None:
                    verdict = event.fields["verdict"]
                    # A short greeting is heard as a person once it has been followed by this
                    # much silence: the person stopped talking that long before the verdict.
                    silence = self.dialling.after_greeting_silence_ms * 1000 \
                        if event.fields.get("reason") == "short-greeting" else 0
                    await self._carry_out(heard, heard.flow.detected(verdict, now - silence))

    def _call_of_media(self, event: MediaEvent) -> _Call | None:
        media_leg = event.fields.get("leg")
        owner = None if media_leg is None else self.telephony.sip_leg(media_leg)
        return None if owner is None else self._calls.get(owner)

    async def _carry_out(self, call: _Call, actions: list[Action]) -> None:
        live, events = self.live, self.call_events
        assert live is not None and events is not None
        for action in actions:
            now = d.now_us()
            match action:
                case Detect():
                    media_leg = self.telephony.media_leg(call.leg)
                    if media_leg is None:
                        continue  # gone meanwhile: its HungUp ends the call
                    try:
                        self.media.detect(media_leg,
                                          after_greeting_silence_ms=self.dialling.after_greeting_silence_ms)
                    except MediaError:  # no detector: taken for a person, the safe side
                        await self._carry_out(call, call.flow.detected("unsure", now))
                case WantAgent():
                    live.person_answered(call.call_id, now)
                    await events.answered(call.call_id, call.list_id, now, machine=False)
                    await self._offer_agents(now)
                    if call.bridged_at is not None:
                        self.bridge_delays.append(call.bridged_at - now)
                case Bridge(agent_id=agent_id):
                    await self._bridge(call, agent_id, now)
                case Play(prompt=prompt):
                    if prompt == "abandon":
                        live.abandoned(call.call_id, now)
                    else:
                        await events.answered(call.call_id, call.list_id, now, machine=True)
                    await self._play(call, prompt)
                case Hangup(cause=cause):
                    try:
                        self.telephony.hangup(call.leg, cause)
                    except TelephonyError:
                        continue  # already ended: its HungUp follows
                    except RuntimeError:
                        continue  # the telephony service is stopping too: its shutdown hangs up every call
                case End(outcome=outcome):
                    await self._end(call, outcome)
        if call.flow.state is not FlowState.ENDED:
            self.board.move(call.call_id, call.flow.state, d.now_us(), agent_id=call.agent_id)

    async def _play(self, call: _Call, prompt: str) -> None:
        path = self.dialling.abandon_prompt if prompt == "abandon" else self.dialling.machine_message
        media_leg = self.telephony.media_leg(call.leg)
        if media_leg is None:
            return  # gone meanwhile: its HungUp ends the call
        if path is None:  # no machine message configured: the machine is dropped
            await self._carry_out(call, call.flow.prompt_ended())
            return
        try:
            self.media.play(media_leg, path)
        except MediaError:
            # An unreadable prompt must not keep the line open: end as if it had been played.
            await self._carry_out(call, call.flow.prompt_ended())

    async def _end(self, call: _Call, outcome: d.Outcome) -> None:
        """The call is over: its record, the pacer's view, its events, and its agent (to wrap-up
        if connected, freed if only reserved); a call taken over waits for its supervisor's
        disposition."""
        live, events = self.live, self.call_events
        assert live is not None and events is not None
        now = d.now_us()
        self.board.drop(call.call_id)
        await self.store.end_calls([CallEnd(call.call_id, outcome, now)])
        if not outcome.reached_person:
            live.ended_unanswered(call.call_id, outcome)
        elif outcome is d.Outcome.ABANDONED and call.call_id in dict(live.waiting()):
            live.abandoned(call.call_id, now)
        await events.ended(call.call_id, call.list_id, outcome, now)
        if call.agent_id is not None:
            await self._wrap_up(call.agent_id, call.call_id)
        elif call.taken_over_by is not None:
            await self.wrapups.hold(call.call_id)
        else:
            agent_id, call.reserved = call.reserved, None
            await self._release(agent_id)

    async def _offer_agents(self, now: int) -> None:
        """People waiting get free agents, longest waiting first; a callback gets the agent kept
        for it (any free agent if that one's session ended meanwhile)."""
        live = self.live
        assert live is not None
        by_id = {c.call_id: c for c in self._calls.values()}
        for call_id, _ in live.waiting():
            call = by_id.get(call_id)
            if call is None:
                continue
            if call.reserved is not None and self.sessions.leg_of(call.reserved) is None:
                call.reserved = None
            if call.reserved is not None:  # a callback: its agent was kept for it
                agent_id, call.reserved = call.reserved, None
            else:
                # Offers may run at once from the tick and from an answer: each keeps an agent
                # of its own, and gives it back below if the other one bridged the call first.
                found = await self._reserve_free_agent(call.call_id, now)
                if found is None:
                    return  # nobody free: the longest waiting stays first in line
                agent_id = found
            actions = call.flow.agent_free(agent_id, now)
            if not actions:  # taken meanwhile, or too late for this call: the agent goes back
                await self._release(agent_id)
            await self._carry_out(call, actions)

    async def _reserve_free_agent(self, call_id: int, now: int) -> int | None:
        """Keeps the longest idle agent for a call. The store's state machine decides: an agent
        of several campaigns may have been taken by another campaign's task meanwhile."""
        live = self.live
        assert live is not None
        for agent_id in live.idle_agents():
            if self.sessions.leg_of(agent_id) is None:
                continue
            try:
                await self.agents.reserve(agent_id, call_id, at=now)
            except AgentStateError:  # taken meanwhile: that transition has reached this view too
                continue
            return agent_id
        return None

    async def _release(self, agent_id: int | None) -> None:
        """An agent kept for a call that will not be bridged is free again."""
        if agent_id is not None and self.sessions.leg_of(agent_id) is not None:
            await self.agents.release(agent_id)

    async def _bridge(self, call: _Call, agent_id: int, now: int) -> None:
        live = self.live
        session = self.sessions.leg_of(agent_id)
        assert live is not None and session is not None
        call.agent_id = agent_id
        # If the customer hung up meanwhile, the HungUp that follows ends the call and the agent's turn.
        with contextlib.suppress(TelephonyError):
            self.telephony.bridge(call.leg, session)
        call.bridged_at = d.now_us()
        live.connected(call.call_id)
        await self.agents.connect(agent_id, call.call_id, self.campaign_id)
        await self.store.progress_calls([CallProgress(call.call_id, connected_at=now, agent_id=agent_id)])

    async def _wrap_up(self, agent_id: int, call_id: int) -> None:
        live = self.live
        assert live is not None
        if self.sessions.leg_of(agent_id) is None:
            # The session ended during the call: the agent is logged out and will not qualify
            # it, so its contact is not left held; it is tried again later.
            await self.store.settle_undisposed(call_id, d.now_us())
            return
        await self.wrapups.start(agent_id, call_id)

    def _call(self, call_id: int | None) -> _Call | None:
        """This task's call in flight with that id (found through the board: every agent change
        asks, so no walk over the calls)."""
        active = None if call_id is None else self.board.get(call_id)
        return None if active is None else self._calls.get(active.leg)

    def _places(self, call_id: int | None) -> bool:
        """The call is this task's: claimed to be dialled, or in flight."""
        return call_id in self._unplaced or self._call(call_id) is not None

    def _agent_changed(self, status: d.AgentStatus) -> None:
        """An agent changed state (``AgentService.watch``): every campaign task of the agent hears
        it at once, so an agent shared by several campaigns is not seen free by the others while
        busy with this one. Agents without a session leg take no calls from the dialer and are
        not counted (the session is set up before the login, and forgotten before the logout that
        ends it); one who leaves this campaign leaves its view."""
        live = self.live
        if live is None:
            return
        if status.state is d.AgentState.LOGGED_OUT or self.campaign_id not in status.campaign_ids:
            live.agent(status.agent_id, d.AgentState.LOGGED_OUT, status.since)
        elif self.sessions.leg_of(status.agent_id) is not None:
            # Kept for a call or put on one: this campaign's call, or another's (whose pacer
            # counts the agent until they are free); a wrap-up follows the call it closes.
            taking = status.state in (d.AgentState.RESERVED, d.AgentState.ON_CALL) and status.call_id is not None
            live.agent(status.agent_id, status.state, status.since,
                       elsewhere=not self._places(status.call_id) if taking else None)
