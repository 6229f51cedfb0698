"""``Supervision``: a supervisor listens to, coaches, joins or takes over an agent's call (seed 001).

The supervisor's registered softphone is called (their SIP identity is the ``extension`` of the
agent profile linked to their user: a supervisor who supervises by phone has one); once it
answers, its media leg joins the room of the agent's call as a ``supervisor`` in the chosen mode,
and the media core's who-hears-whom table does the rest (docs/media.md). A mode switch is a
``set_mode`` on the same leg: nothing rings again.

A takeover (without the agent listening) releases the agent (DESIGN.md): the dialer detaches their
session leg from the call, into a room of their own, and they are free for their next call at
once, while the customer stays in the call's room with the supervisor. The call is then the
supervisor's alone: when they hang up or stop, the customer is hung up too; its mode cannot be
switched back (there is no agent left on it); it is qualified by the supervisor once it ends.

The call board (``ccengine.dialer.CallBoard``) says which call an agent is on; its ``call``
notices on the hub wake the service, which then sees calls end (a one-call supervision hangs the
supervisor's phone up) and followed agents get their next call (the supervisor joins it). Every
stretch in one mode on one call is a line of the audit log, closed with its reason.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection
from dataclasses import dataclass, field, replace

import trio

from ccengine import domain as d
from ccengine.dialer import ActiveCall, Dialer, FlowState
from ccengine.errors import Conflict, MediaError, NotFound, TelephonyError
from ccengine.metrics import Dropped, Hub
from ccengine.store import AuditEntry
from ccengine.telephony import Answered, Failed, HungUp, Leg, MediaEvent, Mode, SipEvent

__all__ = ["Supervising", "Supervision"]

#: Seconds a stopping service may spend closing the supervisions under way.
STOP_DEADLINE = 2.0


@dataclass(frozen=True, slots=True)
class Supervising:
    """What a supervisor is doing: on which agent, in which mode, on which call (None between
    two calls of a followed agent)."""

    supervisor_id: int
    tenant_id: int
    agent_id: int
    mode: Mode
    follow: bool
    call_id: int | None
    since: int
    """When the supervision started (µs)."""
    session: int | None
    """Its number in the audit log (None until it first joined a call)."""
    agent_released: bool = False
    """A takeover released the agent: the supervisor holds the call alone."""


@dataclass(slots=True)
class _Session:
    supervisor_id: int
    tenant_id: int
    agent_id: int
    mode: Mode
    follow: bool
    leg: int
    since: int
    answered: trio.Event = field(default_factory=trio.Event)
    up: bool = False
    failure: str | None = None
    media: Leg | None = None
    call_id: int | None = None
    room: int | None = None
    entry: AuditEntry | None = None
    released: bool = False
    """The agent was released from the call (a takeover): the supervisor holds it alone."""

    def rang(self, event: Answered | Failed) -> None:
        """The supervisor's phone answered, or the call to it failed."""
        self.up = isinstance(event, Answered)
        self.failure = event.outcome if isinstance(event, Failed) else None
        self.answered.set()

    @property
    def media_mode(self) -> Mode:
        """A followed listen is the media core's persistent listen: it moves with the agent."""
        return "persistent-listen" if self.follow and self.mode == "listen" else self.mode

    def view(self) -> Supervising:
        return Supervising(self.supervisor_id, self.tenant_id, self.agent_id, self.mode, self.follow, self.call_id,
                           self.since, None if self.entry is None else self.entry.session, self.released)


class Supervision:
    def __init__(self, dialer: Dialer, *, hub: Hub, caller_id: str = "supervision",
                 ring_timeout: float = 20.0) -> None:
        """Supervises the calls of ``dialer``, over its telephony, media and store; ``hub`` is the
        one the dialer's call board publishes to (``Dialer(hub=hub)``): its notices are how the
        service learns that calls start and end."""
        self.dialer = dialer
        self.telephony = dialer.telephony
        self.media = dialer.media
        self.router = dialer.router
        self.board = dialer.board
        self.store = dialer.store
        self.hub = hub
        self.caller_id = caller_id
        self.ring_timeout = ring_timeout
        self._by_supervisor: dict[int, _Session] = {}
        self._by_leg: dict[int, _Session] = {}
        self._lock = trio.Lock()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Follows the board until cancelled; then every supervision under way ends
        (``engine-stopped``: audit lines closed, supervisors' phones hung up)."""
        try:
            await self._follow(task_status)
        finally:
            with trio.CancelScope(shield=True) as scope:
                scope.deadline = trio.current_time() + STOP_DEADLINE
                for session in list(self._by_supervisor.values()):
                    with contextlib.suppress(RuntimeError):  # the SIP engine stopped first: the calls are gone
                        await self._end(session, "engine-stopped")

    async def _follow(self, task_status: trio.TaskStatus[None]) -> None:
        started = False
        while True:
            with self.hub.subscribe(lambda n: n.topic in ("call", "agent"), capacity=4096) as changes:
                if not started:
                    task_status.started()
                    started = True
                await self._reconcile()
                with contextlib.suppress(Dropped):  # fell behind: subscribe again and look afresh
                    while True:
                        notices = await changes.receive()
                        await self._reconcile(changed_agents={n.key for n in notices if n.topic == "agent"})

    # what supervisors do
    async def listen(self, supervisor_id: int, agent_id: int, *, follow: bool = False) -> Supervising:
        """Listen to the agent's call; ``follow``: and to each of their next calls, until stopped."""
        return await self.start(supervisor_id, agent_id, "listen", follow=follow)

    async def whisper(self, supervisor_id: int, agent_id: int) -> Supervising:
        return await self.start(supervisor_id, agent_id, "whisper")

    async def barge(self, supervisor_id: int, agent_id: int) -> Supervising:
        return await self.start(supervisor_id, agent_id, "barge")

    async def takeover(self, supervisor_id: int, agent_id: int, *, agent_listening: bool = False) -> Supervising:
        return await self.start(supervisor_id, agent_id, "takeover-agent-listening" if agent_listening else "takeover")

    async def start(self, supervisor_id: int, agent_id: int, mode: Mode, *, follow: bool = False) -> Supervising:
        """Calls the supervisor's phone and, once answered, joins the agent's call in ``mode``.
        Conflict when the agent is not on a call, the supervisor already supervises, has no phone
        or does not answer."""
        follow = follow or mode == "persistent-listen"
        mode = "listen" if mode == "persistent-listen" else mode
        agent = await self.store.agent(agent_id)
        if (await self.store.user(supervisor_id)).tenant_id != agent.tenant_id:
            raise NotFound("agent", agent_id)  # another tenant's agents do not exist for this user
        if self._on_call(agent_id) is None:
            raise Conflict(f"agent {agent_id} is not on a call", "agent-not-on-call")
        extension = await self._extension(supervisor_id)
        async with self._lock:
            if supervisor_id in self._by_supervisor:
                raise Conflict(f"user {supervisor_id} already supervises an agent: switch or stop first",
                               "already-supervising")
            try:
                leg = self.telephony.call_agent(extension, caller_id=self.caller_id, timeout=self.ring_timeout)
            except TelephonyError as e:
                raise Conflict(f"the supervisor's phone ({extension}) cannot be called: {e}",
                               "supervisor-phone-unreachable") from e
            session = _Session(supervisor_id, agent.tenant_id, agent_id, mode, follow, leg, d.now_us())
            self._by_supervisor[supervisor_id] = session
            self._by_leg[leg] = session
            self.router.own(leg, self._handle)
        with trio.move_on_after(self.ring_timeout + 5):
            await session.answered.wait()
        if not session.up:
            await self._end(session, "not-answered")
            raise Conflict(f"the supervisor's phone ({extension}) did not answer ({session.failure or 'timeout'})",
                           "supervisor-phone-unreachable")
        session.media = self.telephony.media_leg(leg)
        call = self._on_call(agent_id)
        if call is None or not await self._join(session, call):
            await self._end(session, "call-ended")
            raise Conflict(f"agent {agent_id}'s call ended before the supervisor's phone answered",
                           "agent-not-on-call")
        return session.view()

    async def switch(self, supervisor_id: int, mode: Mode) -> Supervising:
        """Changes the mode of a running supervision on the same phone call."""
        session = self._session(supervisor_id)
        if session.released and mode != "takeover":
            raise Conflict(f"the agent was released from call {session.call_id}, which the supervisor holds alone: "
                           "stop to end it", "agent-released")
        if mode == "persistent-listen":
            mode, session.follow = "listen", True
        if mode == session.mode:
            return session.view()
        session.mode = mode
        if session.call_id is not None and session.media is not None:
            with contextlib.suppress(MediaError):  # the call just ended: the reconcile sees it
                self.media.set_mode(session.media, session.media_mode)
            await self._close_entry(session, "switched")
            await self._open_entry(session)
            await self._release_agent(session)
        return session.view()

    async def stop(self, supervisor_id: int) -> Supervising:
        session = self._session(supervisor_id)
        view = session.view()
        await self._end(session, "stopped")
        return view

    def of(self, supervisor_id: int) -> Supervising | None:
        session = self._by_supervisor.get(supervisor_id)
        return None if session is None else session.view()

    def supervising(self, *, tenant_id: int | None = None, agent_id: int | None = None) -> list[Supervising]:
        return [s.view() for s in self._by_supervisor.values()
                if (tenant_id is None or s.tenant_id == tenant_id) and (agent_id is None or s.agent_id == agent_id)]

    # how
    def _session(self, supervisor_id: int) -> _Session:
        session = self._by_supervisor.get(supervisor_id)
        if session is None or not session.up:
            raise NotFound("supervision of user", supervisor_id)
        return session

    def _on_call(self, agent_id: int) -> ActiveCall | None:
        call = self.board.of_agent(agent_id)
        return call if call is not None and call.state is FlowState.CONNECTED else None

    async def _extension(self, supervisor_id: int) -> str:
        profile = await self.store.agent_of_user(supervisor_id)
        extension = "" if profile is None else (await self.store.agent(profile)).extension
        if not extension:
            raise Conflict(f"user {supervisor_id} has no phone: link an agent profile with an extension to them",
                           "no-supervisor-phone")
        return extension

    async def _join(self, session: _Session, call: ActiveCall) -> bool:
        """Puts the supervisor's leg in the call's room (False when the call is gone)."""
        if session.call_id == call.call_id:  # joined meanwhile (a followed agent's call, seen by the reconcile)
            return True
        room = self.telephony.room(call.leg)
        if room is None or session.media is None:
            return False
        if session.room != room:
            try:
                self.media.remove_from_room(session.media)
                self.media.add_to_room(room, session.media, "supervisor", session.media_mode)
            except MediaError:
                return False
            session.room = room
        session.call_id = call.call_id
        await self._open_entry(session)
        await self._release_agent(session)
        return True

    async def _release_agent(self, session: _Session) -> None:
        """In takeover mode, the agent leaves the call to the supervisor (a call that ended
        meanwhile is left to the reconcile)."""
        if session.mode != "takeover" or session.released or session.call_id is None:
            return
        # Released before it is done: the reconcile, woken by the board meanwhile, must not take
        # the agent leaving the call for the call ending.
        session.released = True
        try:
            await self.dialer.take_over(session.call_id, session.supervisor_id)
        except Conflict:
            session.released = False

    async def _reconcile(self, *, changed_agents: Collection[int] = ()) -> None:
        """Brings every supervision in line with the board: ended calls left, next calls joined;
        a followed agent found logged out between calls (looked up when their state changed or
        their call ended) ends the following."""
        for session in list(self._by_supervisor.values()):
            if not session.up:
                continue
            if session.released:  # the supervisor's call now, no longer the agent's
                if session.call_id is None or self.board.get(session.call_id) is None:
                    await self._end(session, "call-ended")
                continue
            call = self._on_call(session.agent_id)
            changed = session.agent_id in changed_agents
            if session.call_id is not None and (call is None or call.call_id != session.call_id):
                left = self.board.get(session.call_id)
                session.call_id, changed = None, True
                await self._close_entry(session, "call-ended" if left is None else "taken-over")
                if not session.follow:
                    await self._end(session, "call-ended")
                    continue
            if session.call_id is not None or not session.follow:
                continue
            if call is not None:
                await self._join(session, call)
            elif changed and (await self.store.agent_status(session.agent_id)).state is d.AgentState.LOGGED_OUT:
                await self._end(session, "agent-left")

    async def _open_entry(self, session: _Session) -> None:
        session.entry = await self.store.open_audit(
            session=None if session.entry is None else session.entry.session, tenant_id=session.tenant_id,
            supervisor_id=session.supervisor_id, agent_id=session.agent_id, call_id=session.call_id,
            mode=session.media_mode, at=d.now_us())

    async def _close_entry(self, session: _Session, reason: str) -> None:
        if session.entry is not None and session.entry.ended_at is None:
            await self.store.close_audit(session.entry.id, d.now_us(), reason)
            session.entry = replace(session.entry, ended_at=d.now_us(), end_reason=reason)

    async def _end(self, session: _Session, reason: str) -> None:
        """Ends a supervision: its audit line closes, its leg leaves the room and hangs up; a call
        the supervisor took over ends with them (the customer is hung up)."""
        if self._by_supervisor.get(session.supervisor_id) is not session:
            return
        held = self.board.get(session.call_id) if session.released and session.call_id is not None else None
        if held is not None:
            with contextlib.suppress(TelephonyError):  # the customer hung up meanwhile
                self.telephony.hangup(held.leg)
        del self._by_supervisor[session.supervisor_id]
        self._by_leg.pop(session.leg, None)
        self.router.release(session.leg)
        session.up = False
        session.answered.set()
        await self._close_entry(session, reason)
        if session.media is not None:
            with contextlib.suppress(MediaError):
                self.media.remove_from_room(session.media)
        with contextlib.suppress(TelephonyError):  # already gone when the phone hung up
            self.telephony.hangup(session.leg)

    async def _handle(self, event: SipEvent | MediaEvent) -> None:
        match event:
            case Answered(leg=leg) | Failed(leg=leg) if leg in self._by_leg:
                self._by_leg[leg].rang(event)
            case HungUp(leg=leg) if leg in self._by_leg:
                await self._end(self._by_leg[leg], "supervisor-hung-up")
            case MediaEvent(kind="leg-moved"):  # a persistent listener followed the agent
                moved = self.telephony.sip_leg(event.fields["leg"])
                if moved in self._by_leg:
                    self._by_leg[moved].room = event.fields["room"]
