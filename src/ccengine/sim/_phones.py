"""Simulated agents' softphones: a bank of phone accounts on our own SIP engine, used as a user
agent. Each account registers with the engine under test with digest auth, like a softphone on an
agent's desk; the engine calls it when the agent logs in (the session leg), the bank answers at
once and keeps the leg up, with the agent's voice (a looped speech-like WAV) on it, until the
engine hangs up or the bank stops. Hundreds of accounts fit in one bank: one SIP engine and one
media engine serve them all (pjsua2 holds four calls per process).

What an agent does on the engine's side (logging in to a campaign, dispositioning calls) is not
the phone's business: see ``ccengine.sim.SimulatedAgents``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import trio

from ccengine.errors import TelephonyError
from ccengine.telephony import HungUp, Incoming, Media, RegisterStatus, Telephony

__all__ = ["Account", "PhoneBank"]


@dataclass(frozen=True, slots=True)
class Account:
    user: str
    password: str


def bank_config(accounts: Sequence[Account], registrar: str, listen: str, expires: int) -> str:
    """The bank's ``[sip]`` table: where it listens, and one ``[[sip.account]]`` per phone."""
    lines = ["[sip]", "[[sip.listen]]", 'transport = "udp"', f'address = "{listen}"']
    for a in accounts:
        lines += ["[[sip.account]]", f'user = "{a.user}"', f'password = "{a.password}"',
                  f'registrar = "{registrar}"', f"expires = {expires}"]
    return "\n".join(lines) + "\n"


class PhoneBank:
    """``accounts`` register with ``registrar`` (``ip:port`` of the engine under test);
    ``run`` reports started once every account is registered (or raises after ``register_timeout``
    naming those that are not, with the registrar's reason)."""

    def __init__(self, accounts: Sequence[Account], registrar: str, *, listen: str = "127.0.0.1:0",
                 voice: Path | None = None, expires: int = 600, register_timeout: float = 15.0) -> None:
        self.accounts = list(accounts)
        self.voice = voice
        self.register_timeout = register_timeout
        host = listen.rpartition(":")[0]
        self.media = Media(bind=host)
        self.telephony = Telephony(bank_config(self.accounts, registrar, listen, expires), media=self.media)
        self.registered: set[str] = set()
        self.failures: dict[str, str] = {}
        self.calls: dict[str, int] = {}
        """The leg each phone has up now, by account."""
        self.answered = 0
        self._all_registered = trio.Event()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        async with trio.open_nursery() as nursery:
            await nursery.start(self.media.run)
            await nursery.start(self.telephony.run)
            nursery.start_soon(self._drain_media)
            nursery.start_soon(self._events)
            with trio.move_on_after(self.register_timeout):
                await self._all_registered.wait()
            missing = sorted({a.user for a in self.accounts} - self.registered)
            if missing:
                reasons = ", ".join(f"{u} ({self.failures.get(u, 'no answer')})" for u in missing[:5])
                raise TelephonyError(f"{len(missing)} phones did not register: {reasons}", "register-failed")
            task_status.started()

    def hang_up(self, user: str) -> None:
        """The agent puts the phone down: the session leg ends (the engine logs the agent out)."""
        leg = self.calls.get(user)
        if leg is not None:
            self.telephony.hangup(leg)

    async def _events(self) -> None:
        t = self.telephony
        account_of: dict[int, str] = {}
        async for event in t.events:
            match event:
                case RegisterStatus(name=name, kind="account", ok=ok, expires=expires, reason=reason):
                    if ok and expires > 0:
                        self.registered.add(name)
                        self.failures.pop(name, None)
                        if len(self.registered) == len(self.accounts):
                            self._all_registered.set()
                    elif not ok:
                        self.failures[name] = reason
                case Incoming(leg=leg, account=account) if account is not None:
                    try:
                        t.answer(leg)
                    except TelephonyError:
                        continue  # the caller gave up meanwhile: its HungUp follows
                    account_of[leg] = account
                    self.calls[account] = leg
                    self.answered += 1
                    media_leg = t.media_leg(leg)
                    if self.voice is not None and media_leg is not None:
                        self.media.play(media_leg, self.voice, loop=True)
                case Incoming(leg=leg):
                    t.reject(leg, 404)  # not for one of our phones
                case HungUp(leg=leg) if leg in account_of:
                    account = account_of.pop(leg)
                    if self.calls.get(account) == leg:
                        del self.calls[account]

    async def _drain_media(self) -> None:
        async for _ in self.media.events:
            pass  # prompt ends and the like: nothing for a phone to do
