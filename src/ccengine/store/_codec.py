"""Rows to domain objects and back. Campaign settings are one JSON document: they are read and
edited as a whole, and their shape (schedule windows, dispositions, retry delays) is nested."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from ccengine import domain as d
from ccengine.errors import DomainError


def phone_key(e164: str) -> int:
    """How a number is stored: its E.164 digits as an integer (``+33612345678`` -> 33612345678)."""
    if not (e164.startswith("+") and e164[1:].isdigit() and 1 < len(e164) <= 16):
        raise DomainError(f"{e164!r} is not an E.164 number (+ and up to 15 digits)", "invalid-phone")
    return int(e164[1:])


def phone_text(key: int) -> str:
    return f"+{key}"


def campaign_settings(c: d.Campaign) -> str:
    s = c.schedule
    return json.dumps({
        "dial_mode": c.dial_mode.value,
        "power_ratio": c.power_ratio,
        "caller_id": c.caller_id,
        "schedule": {
            "tz": s.tz,
            "windows": [[w.weekday, w.start.isoformat("minutes"), w.end.isoformat("minutes")] for w in s.windows],
            "first_day": s.first_day.isoformat() if s.first_day else None,
            "last_day": s.last_day.isoformat() if s.last_day else None,
        },
        "abandon_cap": c.abandon_cap,
        "abandon_window": c.abandon_window.value,
        "connect_limit_s": c.connect_limit_s,
        "max_attempts": c.max_attempts,
        "retry_delays": {o.value: delay for o, delay in c.retry_delays.items()},
        "machine_rule": c.machine_rule.value,
        "dispositions": [
            {"code": x.code, "label": x.label, "positive": x.positive, "argued": x.argued, "final": x.final,
             "callback": x.callback}
            for x in c.dispositions
        ],
    })


def campaign(row: sqlite3.Row) -> d.Campaign:
    s: dict[str, Any] = json.loads(row["settings"])
    sched = s["schedule"]
    return d.Campaign(
        id=row["id"], tenant_id=row["tenant_id"], name=row["name"],
        dial_mode=d.DialMode(s["dial_mode"]), power_ratio=s["power_ratio"], caller_id=s["caller_id"],
        schedule=d.Schedule(
            tz=sched["tz"],
            windows=tuple(d.Window(w, dt.time.fromisoformat(a), dt.time.fromisoformat(b))
                          for w, a, b in sched["windows"]),
            first_day=dt.date.fromisoformat(sched["first_day"]) if sched["first_day"] else None,
            last_day=dt.date.fromisoformat(sched["last_day"]) if sched["last_day"] else None,
        ),
        abandon_cap=s["abandon_cap"], abandon_window=d.AbandonWindow(s["abandon_window"]),
        connect_limit_s=s["connect_limit_s"], max_attempts=s["max_attempts"],
        retry_delays={d.Outcome(o): delay for o, delay in s["retry_delays"].items()},
        machine_rule=d.MachineRule(s["machine_rule"]),
        dispositions=tuple(d.Disposition(**x) for x in s["dispositions"]),
        run_state=d.RunState(row["run_state"]),
        inactive_reason=d.InactiveReason(row["inactive_reason"]) if row["inactive_reason"] else None,
        created_at=row["created_at"],
    )


def contact_list(row: sqlite3.Row) -> d.ContactList:
    return d.ContactList(id=row["id"], campaign_id=row["campaign_id"], name=row["name"],
                         status=d.ListStatus(row["status"]), priority=row["priority"], created_at=row["created_at"])


def contact(row: sqlite3.Row) -> d.Contact:
    return d.Contact(
        id=row["id"], campaign_id=row["campaign_id"], list_id=row["list_id"], phone=phone_text(row["phone"]),
        zone=row["zone"],
        fields=json.loads(row["fields"]), consent=bool(row["consent"]), state=d.ContactState(row["state"]),
        attempts=row["attempts"], last_outcome=d.Outcome(row["last_outcome"]) if row["last_outcome"] else None,
        last_disposition=row["last_disposition"], next_attempt_at=row["next_attempt_at"], source_line=row["line"],
    )


def call(row: sqlite3.Row) -> d.CallRecord:
    return d.CallRecord(
        id=row["id"], campaign_id=row["campaign_id"], list_id=row["list_id"], contact_id=row["contact_id"],
        phone=phone_text(row["phone"]), placed_at=row["placed_at"], ringing_at=row["ringing_at"],
        answered_at=row["answered_at"], connected_at=row["connected_at"], ended_at=row["ended_at"],
        wrapup_ended_at=row["wrapup_ended_at"], outcome=d.Outcome(row["outcome"]) if row["outcome"] else None,
        agent_id=row["agent_id"], disposition=row["disposition"], positive=bool(row["positive"]),
        argued=bool(row["argued"]),
    )


def callback(row: sqlite3.Row) -> d.Callback:
    return d.Callback(id=row["id"], campaign_id=row["campaign_id"], contact_id=row["contact_id"],
                      due_at=row["due_at"], agent_id=row["agent_id"], note=row["note"],
                      state=d.CallbackState(row["state"]), created_at=row["created_at"])


def agent(row: sqlite3.Row, teams: list[int], campaigns: list[int], queues: list[int]) -> d.Agent:
    return d.Agent(id=row["id"], tenant_id=row["tenant_id"], name=row["name"], user_id=row["user_id"],
                   extension=row["extension"], skills=frozenset(json.loads(row["skills"])),
                   team_ids=frozenset(teams), campaign_ids=frozenset(campaigns), queue_ids=frozenset(queues))


def agent_status(row: sqlite3.Row) -> d.AgentStatus:
    return d.AgentStatus(
        agent_id=row["agent_id"], state=d.AgentState(row["state"]), since=row["since"],
        pause_reason=row["pause_reason"], pause_pending=row["pause_pending"],
        campaign_ids=frozenset(json.loads(row["campaigns"])), queue_ids=frozenset(json.loads(row["queues"])),
        call_id=row["call_id"], login_address=row["login_address"], login_at=row["login_at"],
        last_seen_at=row["last_seen_at"], day=row["day"], production_s=row["production_s"], pause_s=row["pause_s"],
    )
