"""The store: the engine's durable state behind async methods, SQLite by default.

Every method is one unit of work run on the store's own thread (``_thread.WorkerThread``) in one
transaction (``_tx``). The SQL lives in the ``_*_sql`` modules as plain functions of a connection;
this class only routes calls to them, so a PostgreSQL backend is another set of those modules
behind the same methods, and callers never change.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from ccengine import domain as d
from ccengine._native import ChunkSink
from ccengine.store import _access_sql as access
from ccengine.store import _agents_sql as agents
from ccengine.store import _calls_sql as calls
from ccengine.store import _campaigns_sql as campaigns
from ccengine.store import _contacts_sql as contacts
from ccengine.store import _imports_sql as imports
from ccengine.store import _supervision_sql as supervision
from ccengine.store import _tenancy_sql as tenancy
from ccengine.store._agents_sql import Activity
from ccengine.store._contacts_sql import BulkResult, Claim
from ccengine.store._migrations import migrate
from ccengine.store._thread import WorkerThread

if TYPE_CHECKING:  # the supervision mode vocabulary is telephony's; the store only keeps it
    from ccengine.telephony import Mode

T = TypeVar("T")

#: Seconds a writer waits for another process's write lock before giving up.
BUSY_TIMEOUT_S = 10.0


def connect(path: str | os.PathLike[str], *, durable: bool = False) -> sqlite3.Connection:
    """A connection set up as the store uses it: WAL (readers never block the writer), explicit
    transactions, foreign keys, and ``synchronous=NORMAL`` — a killed process loses no committed
    transaction; ``durable`` (``FULL``) also survives power loss at one fsync per commit."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_S)
    db.row_factory = sqlite3.Row
    # 16 KiB pages (for a new file; a file keeps the size it was made with): an import's random
    # inserts into the phone index split far fewer pages (docs/performance.md, "Import").
    db.execute("PRAGMA page_size = 16384")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA cache_size = -65536")
    # Debian builds SQLite with SECURE_DELETE (freed space is zeroed); nothing here needs it and
    # every page split of a large import pays for it.
    db.execute("PRAGMA secure_delete = OFF")
    # After a checkpoint the log file is cut back to 64 MiB (an import may have grown it).
    db.execute("PRAGMA journal_size_limit = 67108864")
    return db


class Store:
    def __init__(self, path: str | os.PathLike[str], *, durable: bool = False) -> None:
        """Opens (creating if needed) and migrates the database; imports left running by a
        process that died are marked interrupted. Call ``recover`` once the engine is ready to
        close the calls such a process left open."""
        self.path = os.fspath(path)

        def setup() -> sqlite3.Connection:
            db = connect(self.path, durable=durable)
            migrate(db)
            imports.interrupt_running_imports(db, d.now_us())
            return db

        self._thread = WorkerThread(f"store:{os.path.basename(self.path)}", setup, lambda db: db.close())

    def close(self) -> None:
        self._thread.stop()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # tenants, teams, users, agent profiles
    async def create_tenant(self, name: str, tz: str = "UTC") -> d.Tenant:
        return await self._thread.run(tenancy.create_tenant, name, tz)

    async def id_space(self) -> dict[str, int]:
        return await self._thread.run(tenancy.id_space)

    async def tenant(self, key: int | str) -> d.Tenant:
        return await self._thread.run(tenancy.tenant, key)

    async def create_team(self, tenant_id: int, name: str) -> d.Team:
        return await self._thread.run(tenancy.create_team, tenant_id, name)

    async def create_user(self, tenant_id: int, login: str, name: str, role: d.Role,
                          password_hash: str | None = None) -> d.User:
        return await self._thread.run(tenancy.create_user, tenant_id, login, name, role, password_hash)

    async def create_agent(self, tenant_id: int, name: str, *, user_id: int | None = None, extension: str = "",
                           skills: Iterable[str] = (), team_ids: Iterable[int] = (),
                           campaign_ids: Iterable[int] = (), queue_ids: Iterable[int] = ()) -> d.Agent:
        return await self._thread.run(
            lambda db: tenancy.create_agent(db, tenant_id, name, user_id=user_id, extension=extension,
                                            skills=list(skills), team_ids=list(team_ids),
                                            campaign_ids=list(campaign_ids), queue_ids=list(queue_ids),
                                            now=d.now_us()))

    async def assign_agent(self, agent_id: int, *, team_ids: Iterable[int], campaign_ids: Iterable[int],
                           queue_ids: Iterable[int]) -> d.Agent:
        return await self._thread.run(
            lambda db: tenancy.assign_agent(db, agent_id, team_ids=list(team_ids), campaign_ids=list(campaign_ids),
                                            queue_ids=list(queue_ids)))

    async def agent(self, agent_id: int) -> d.Agent:
        return await self._thread.run(tenancy.agent, agent_id)

    async def agents(self, tenant_id: int | None = None) -> list[d.Agent]:
        return await self._thread.run(tenancy.agents, tenant_id)

    # users and API sessions
    async def user(self, user_id: int) -> d.User:
        return await self._thread.run(access.user, user_id)

    async def users(self, tenant_id: int) -> list[d.User]:
        return await self._thread.run(access.users, tenant_id)

    async def credentials(self, login: str) -> tuple[d.User, str | None] | None:
        return await self._thread.run(access.credentials, login)

    async def edit_user(self, user_id: int, **changes: Any) -> d.User:
        return await self._thread.run(access.edit_user, user_id, changes)

    async def agent_of_user(self, user_id: int) -> int | None:
        return await self._thread.run(access.agent_of_user, user_id)

    async def open_session(self, token_hash: bytes, user_id: int, *, expires_at: int, address: str | None) -> None:
        await self._thread.run(access.open_session, token_hash, user_id, d.now_us(), expires_at, address)

    async def session(self, token_hash: bytes, now: int) -> access.SessionInfo | None:
        return await self._thread.run(access.session, token_hash, now)

    async def touch_session(self, token_hash: bytes, now: int, agent_id: int | None) -> None:
        await self._thread.run(access.touch_session, token_hash, now, agent_id)

    async def close_session(self, token_hash: bytes) -> bool:
        return await self._thread.run(access.close_session, token_hash)

    async def purge_sessions(self, now: int) -> int:
        return await self._thread.run(access.purge_sessions, now)

    # agent status and history
    async def agent_status(self, agent_id: int) -> d.AgentStatus:
        return await self._thread.run(agents.agent_status, agent_id)

    async def agent_statuses(self, tenant_id: int | None = None) -> list[d.AgentStatus]:
        return await self._thread.run(agents.agent_statuses, tenant_id)

    async def agent_transition(
        self, agent_id: int,
        decide: Callable[[d.Agent, d.AgentStatus, d.Tenant], tuple[d.AgentStatus, Activity, T]],
    ) -> T:
        return await self._thread.run(agents.transition, agent_id, decide)

    async def touch_agents(self, agent_ids: Sequence[int], now: int) -> None:
        await self._thread.run(agents.touch_agents, list(agent_ids), now)

    async def activities(self, agent_id: int, limit: int = 50) -> list[Activity]:
        return await self._thread.run(agents.activities, agent_id, limit)

    # campaigns and lists
    async def create_campaign(self, draft: d.Campaign) -> d.Campaign:
        return await self._thread.run(campaigns.create_campaign, draft, d.now_us())

    async def edit_campaign(self, campaign_id: int, **changes: Any) -> d.Campaign:
        return await self._thread.run(campaigns.edit_campaign, campaign_id, changes)

    async def campaign(self, key: int | tuple[int, str]) -> d.Campaign:
        return await self._thread.run(campaigns.campaign, key)

    async def campaigns(self, tenant_id: int | None = None) -> list[d.Campaign]:
        return await self._thread.run(campaigns.campaigns, tenant_id)

    async def campaign_action(self, campaign_id: int, action: str) -> tuple[d.Campaign, d.Campaign]:
        return await self._thread.run(campaigns.campaign_action, campaign_id, action)

    async def set_inactive_reason(self, campaign_id: int,
                                  reason: d.InactiveReason | None) -> tuple[d.Campaign, d.Campaign]:
        return await self._thread.run(campaigns.set_inactive_reason, campaign_id, reason)

    async def create_list(self, campaign_id: int, name: str, *, priority: int = 0,
                          status: d.ListStatus = d.ListStatus.PAUSED) -> d.ContactList:
        return await self._thread.run(campaigns.create_list, campaign_id, name, priority, status, d.now_us())

    async def contact_list(self, key: int | tuple[int, str]) -> d.ContactList:
        return await self._thread.run(campaigns.contact_list, key)

    async def contact_lists(self, campaign_id: int) -> list[d.ContactList]:
        return await self._thread.run(campaigns.contact_lists, campaign_id)

    async def list_action(self, list_id: int, action: str) -> tuple[d.ContactList, d.ContactList]:
        return await self._thread.run(campaigns.list_action, list_id, action)

    async def edit_list(self, list_id: int, *, name: str | None = None, priority: int | None = None) -> d.ContactList:
        return await self._thread.run(lambda db: campaigns.edit_list(db, list_id, name=name, priority=priority))

    async def list_counts(self, list_id: int) -> dict[str, int]:
        return await self._thread.run(contacts.list_counts, list_id)

    async def pending_contacts(self, campaign_id: int) -> int:
        return await self._thread.run(contacts.pending_contacts, campaign_id)

    # contacts
    async def add_contacts(self, list_id: int,
                           entries: Iterable[tuple[str, str | None, Mapping[str, str]]]) -> BulkResult:
        return await self._thread.run(contacts.add_contacts, list_id, list(entries), d.now_us())

    async def contact(self, contact_id: int) -> d.Contact:
        return await self._thread.run(contacts.contact, contact_id)

    async def contacts(self, list_id: int, *, after: int = 0, limit: int = 1000,
                       states: Iterable[d.ContactState] | None = None) -> list[d.Contact]:
        return await self._thread.run(
            lambda db: contacts.contacts(db, list_id, after=after, limit=limit, states=states))

    async def claim_contacts(self, campaign_id: int, limit: int, now: int, owner: str) -> list[Claim]:
        return await self._thread.run(contacts.claim_contacts, campaign_id, limit, now, owner)

    async def release_claims(self, call_ids: Iterable[int]) -> int:
        return await self._thread.run(contacts.release_claims, list(call_ids))

    async def recycle_list(self, list_id: int, outcomes: Iterable[d.Outcome]) -> int:
        return await self._thread.run(contacts.recycle_list, list_id, list(outcomes), d.now_us())

    async def move_contacts(self, contact_ids: Iterable[int], list_id: int) -> BulkResult:
        return await self._thread.run(contacts.move_contacts, list(contact_ids), list_id)

    async def remove_contacts(self, contact_ids: Iterable[int]) -> BulkResult:
        return await self._thread.run(contacts.remove_contacts, list(contact_ids))

    async def campaign_phone_keys(self, campaign_id: int) -> list[int]:
        return await self._thread.run(contacts.campaign_phone_keys, campaign_id)

    # do-not-call and missed calls
    async def add_do_not_call(self, tenant_id: int, phones: Iterable[str], reason: str = "") -> int:
        return await self._thread.run(contacts.add_do_not_call, tenant_id, list(phones), reason, d.now_us())

    async def remove_do_not_call(self, tenant_id: int, phones: Iterable[str]) -> int:
        return await self._thread.run(contacts.remove_do_not_call, tenant_id, list(phones))

    async def do_not_call(self, tenant_id: int) -> list[str]:
        return await self._thread.run(contacts.do_not_call, tenant_id)

    async def do_not_call_keys(self, tenant_id: int) -> list[int]:
        return await self._thread.run(contacts.do_not_call_keys, tenant_id)

    async def record_missed_call(self, tenant_id: int, phone: str, at: int,
                                 queue_id: int | None = None) -> d.MissedCall:
        return await self._thread.run(contacts.record_missed_call, tenant_id, phone, at, queue_id)

    async def missed_calls(self, tenant_id: int, *, pending_only: bool = True) -> list[d.MissedCall]:
        return await self._thread.run(lambda db: contacts.missed_calls(db, tenant_id, pending_only=pending_only))

    async def add_missed_calls(self, missed_ids: Iterable[int], campaign_id: int,
                               zone_of: Mapping[str, str | None]) -> BulkResult:
        return await self._thread.run(contacts.add_missed_calls, list(missed_ids), campaign_id, zone_of, d.now_us())

    # calls, dispositions, callbacks
    async def progress_calls(self, updates: Sequence[calls.CallProgress]) -> None:
        await self._thread.run(calls.progress_calls, updates)

    async def end_calls(self, ends: Sequence[calls.CallEnd]) -> None:
        await self._thread.run(calls.end_calls, ends)

    async def dispose_call(self, call_id: int, code: str, at: int, *, callback_at: int | None = None,
                           callback_agent_id: int | None = None, note: str = "") -> d.CallRecord:
        return await self._thread.run(
            lambda db: calls.dispose_call(db, call_id, code, at, callback_at=callback_at,
                                          callback_agent_id=callback_agent_id, note=note))

    async def settle_undisposed(self, call_id: int, at: int) -> bool:
        return await self._thread.run(calls.settle_undisposed, call_id, at)

    async def call(self, call_id: int) -> d.CallRecord:
        return await self._thread.run(calls.call, call_id)

    async def calls(self, campaign_id: int, *, since: int = 0, until: int | None = None, after_id: int = 0,
                    limit: int = 1000) -> list[d.CallRecord]:
        return await self._thread.run(
            lambda db: calls.calls(db, campaign_id, since=since, until=until, after_id=after_id, limit=limit))

    async def abandon_minutes(self, campaign_id: int, since: int) -> list[tuple[int, int, int]]:
        return await self._thread.run(calls.abandon_minutes, campaign_id, since)

    async def calls_in_progress(self) -> list[d.CallRecord]:
        return await self._thread.run(calls.calls_in_progress)

    async def recover(self) -> list[d.CallRecord]:
        """After a restart: calls left open are closed (``calls.recover``) and so are the audit
        lines of supervisions the stopped engine was running (``engine-restart``)."""
        now = d.now_us()
        await self._thread.run(supervision.close_open_audit, now, "engine-restart")
        return await self._thread.run(calls.recover, now)

    async def schedule_callback(self, contact_id: int, due_at: int, *, agent_id: int | None = None,
                                note: str = "") -> d.Callback:
        return await self._thread.run(calls.schedule_callback, contact_id, due_at, agent_id, note, d.now_us())

    async def callback(self, callback_id: int) -> d.Callback:
        return await self._thread.run(calls.callback, callback_id)

    async def callbacks(self, campaign_id: int, *, agent_id: int | None = None, shared: bool | None = None,
                        due_before: int | None = None,
                        states: Iterable[d.CallbackState] = (d.CallbackState.PENDING,)) -> list[d.Callback]:
        return await self._thread.run(
            lambda db: calls.callbacks(db, campaign_id, agent_id=agent_id, shared=shared, due_before=due_before,
                                       states=list(states)))

    async def reassign_callback(self, callback_id: int, *, agent_id: int | None,
                                due_at: int | None = None) -> d.Callback:
        return await self._thread.run(calls.reassign_callback, callback_id, agent_id, due_at)

    async def close_callback(self, callback_id: int, state: d.CallbackState) -> d.Callback:
        return await self._thread.run(calls.close_callback, callback_id, state)

    async def claim_due_callbacks(self, campaign_id: int, now: int, agent_ids: Iterable[int] | None, limit: int,
                                  owner: str) -> list[tuple[d.Callback, Claim]]:
        ids = None if agent_ids is None else list(agent_ids)
        return await self._thread.run(calls.claim_due_callbacks, campaign_id, now, ids, limit, owner)

    # imports
    async def begin_import(self, campaign_id: int, list_name: str, file_name: str,
                           settings: dict[str, Any]) -> imports.ImportRecord:
        return await self._thread.run(imports.begin_import, campaign_id, list_name, file_name, settings, d.now_us())

    async def checkpoint(self) -> None:
        """Copies the write-ahead log into the database now (after a large import), rather than
        in the middle of someone's next commit."""
        await self._thread.run(lambda db: db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall())

    def chunk_sink(self) -> ChunkSink:
        """A native writer of import chunks on its own connection to this database (the rows of a
        large import are bound and inserted without Python in the loop)."""
        return ChunkSink(self.path, busy_timeout=BUSY_TIMEOUT_S, **imports.SINK_SQL)

    async def finish_import(self, import_id: int, *, activate: bool) -> imports.ImportRecord:
        return await self._thread.run(imports.finish_import, import_id, activate, d.now_us())

    async def abandon_import(self, import_id: int) -> None:
        await self._thread.run(imports.abandon_import, import_id, d.now_us())

    async def import_record(self, import_id: int) -> imports.ImportRecord:
        return await self._thread.run(imports.import_record, import_id)

    async def import_rejections(self, import_id: int, *, after_line: int = 0,
                                limit: int = 1000) -> list[imports.Rejection]:
        return await self._thread.run(
            lambda db: imports.import_rejections(db, import_id, after_line=after_line, limit=limit))

    # supervision audit and supervisor -> agent chat
    async def open_audit(self, *, session: int | None, tenant_id: int, supervisor_id: int, agent_id: int,
                         call_id: int | None, mode: Mode, at: int) -> supervision.AuditEntry:
        return await self._thread.run(
            lambda db: supervision.open_audit(db, session=session, tenant_id=tenant_id, supervisor_id=supervisor_id,
                                              agent_id=agent_id, call_id=call_id, mode=mode, at=at))

    async def close_audit(self, entry_id: int, at: int, reason: str) -> None:
        await self._thread.run(supervision.close_audit, entry_id, at, reason)

    async def audit(self, tenant_id: int, *, agent_id: int | None = None, supervisor_id: int | None = None,
                    since: int | None = None, until: int | None = None, after: int = 0,
                    limit: int = 100) -> list[supervision.AuditEntry]:
        return await self._thread.run(
            lambda db: supervision.audit(db, tenant_id, agent_id=agent_id, supervisor_id=supervisor_id, since=since,
                                         until=until, after=after, limit=limit))

    async def add_message(self, tenant_id: int, agent_id: int, from_user: int, text: str) -> supervision.Message:
        return await self._thread.run(supervision.add_message, tenant_id, agent_id, from_user, d.now_us(), text)

    async def message(self, message_id: int) -> supervision.Message | None:
        return await self._thread.run(supervision.message, message_id)

    async def messages(self, agent_id: int, *, after: int = 0, limit: int = 100) -> list[supervision.Message]:
        return await self._thread.run(lambda db: supervision.messages(db, agent_id, after=after, limit=limit))
