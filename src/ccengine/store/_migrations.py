"""The schema, as numbered migrations applied in order; ``PRAGMA user_version`` records the last
one applied. A migration is never edited once released: changes come as a new one."""

from __future__ import annotations

import sqlite3

from ccengine.errors import StoreError

MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
        "tenants, teams, users, agents",
        """
        CREATE TABLE tenant (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            tz TEXT NOT NULL
        );
        CREATE TABLE team (
            id INTEGER PRIMARY KEY,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id),
            name TEXT NOT NULL,
            UNIQUE (tenant_id, name)
        );
        CREATE TABLE user (
            id INTEGER PRIMARY KEY,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id),
            login TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent')),
            password_hash TEXT,
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE agent (
            id INTEGER PRIMARY KEY,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id),
            name TEXT NOT NULL,
            user_id INTEGER REFERENCES user(id),
            extension TEXT NOT NULL DEFAULT '',
            skills TEXT NOT NULL DEFAULT '[]',
            UNIQUE (tenant_id, name)
        );
        CREATE TABLE agent_team (
            agent_id INTEGER NOT NULL REFERENCES agent(id),
            team_id INTEGER NOT NULL REFERENCES team(id),
            PRIMARY KEY (agent_id, team_id)
        ) WITHOUT ROWID;
        CREATE TABLE agent_assignment (
            agent_id INTEGER NOT NULL REFERENCES agent(id),
            kind TEXT NOT NULL CHECK (kind IN ('campaign', 'queue')),
            target_id INTEGER NOT NULL,
            PRIMARY KEY (agent_id, kind, target_id)
        ) WITHOUT ROWID;
        CREATE TABLE agent_status (
            agent_id INTEGER PRIMARY KEY REFERENCES agent(id),
            state TEXT NOT NULL,
            since INTEGER NOT NULL,
            pause_reason TEXT,
            pause_pending TEXT,
            campaigns TEXT NOT NULL DEFAULT '[]',
            queues TEXT NOT NULL DEFAULT '[]',
            call_id INTEGER,
            login_address TEXT,
            login_at INTEGER,
            last_seen_at INTEGER,
            day TEXT NOT NULL DEFAULT '',
            production_s REAL NOT NULL DEFAULT 0,
            pause_s REAL NOT NULL DEFAULT 0
        );
        CREATE TABLE agent_activity (
            id INTEGER PRIMARY KEY,
            agent_id INTEGER NOT NULL REFERENCES agent(id),
            at INTEGER NOT NULL,
            action TEXT NOT NULL,
            by_user INTEGER,
            from_state TEXT NOT NULL,
            to_state TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX agent_activity_by_agent ON agent_activity (agent_id, id);
        """,
    ),
    (
        "campaigns, lists, contacts, do-not-call, missed calls",
        """
        CREATE TABLE campaign (
            id INTEGER PRIMARY KEY,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id),
            name TEXT NOT NULL,
            settings TEXT NOT NULL,
            run_state TEXT NOT NULL DEFAULT 'stopped',
            inactive_reason TEXT,
            created_at INTEGER NOT NULL,
            UNIQUE (tenant_id, name)
        );
        CREATE TABLE contact_list (
            id INTEGER PRIMARY KEY,
            campaign_id INTEGER NOT NULL REFERENCES campaign(id),
            name TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'paused',
            priority INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL,
            UNIQUE (campaign_id, name)
        );
        CREATE TABLE contact (
            id INTEGER PRIMARY KEY,
            campaign_id INTEGER NOT NULL,
            list_id INTEGER NOT NULL,
            phone INTEGER NOT NULL,
            zone TEXT,
            line INTEGER,
            fields TEXT NOT NULL DEFAULT '{}',
            consent INTEGER NOT NULL DEFAULT 1,
            state TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            last_outcome TEXT,
            last_disposition TEXT,
            next_attempt_at INTEGER NOT NULL DEFAULT 0,
            claimed_by TEXT
        );
        -- A number is in a campaign once (removed entries do not count): one row here per number
        -- and campaign, naming its contact. Phones are E.164 digits as integers (cheaper keys).
        -- A table rather than an index on contact so that an import can insert each chunk's
        -- numbers in sorted order while its contacts keep file order (docs/performance.md).
        CREATE TABLE campaign_phone (
            campaign_id INTEGER NOT NULL,
            phone INTEGER NOT NULL,
            contact_id INTEGER NOT NULL,
            PRIMARY KEY (campaign_id, phone)
        ) WITHOUT ROWID;
        -- Claims, list by list in priority order: only pending contacts are indexed, on two
        -- integers, so an import's appends stay cheap. List-wide work (counts, recycling,
        -- export) scans the table instead: it is an operator's occasional action.
        CREATE INDEX contact_due ON contact (list_id, next_attempt_at) WHERE state = 'pending';
        -- The zones a campaign's contacts are in, so a claim knows which are inside calling hours.
        CREATE TABLE campaign_zone (
            campaign_id INTEGER NOT NULL,
            zone TEXT NOT NULL,
            PRIMARY KEY (campaign_id, zone)
        ) WITHOUT ROWID;
        CREATE TABLE do_not_call (
            tenant_id INTEGER NOT NULL,
            phone INTEGER NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            added_at INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, phone)
        ) WITHOUT ROWID;
        CREATE TABLE missed_call (
            id INTEGER PRIMARY KEY,
            tenant_id INTEGER NOT NULL,
            phone INTEGER NOT NULL,
            at INTEGER NOT NULL,
            queue_id INTEGER,
            campaign_id INTEGER
        );
        """,
    ),
    (
        "call records, callbacks, imports",
        """
        CREATE TABLE call (
            id INTEGER PRIMARY KEY,
            campaign_id INTEGER NOT NULL,
            list_id INTEGER NOT NULL,
            contact_id INTEGER NOT NULL,
            phone INTEGER NOT NULL,
            placed_at INTEGER NOT NULL,
            ringing_at INTEGER,
            answered_at INTEGER,
            connected_at INTEGER,
            ended_at INTEGER,
            wrapup_ended_at INTEGER,
            outcome TEXT,
            agent_id INTEGER,
            disposition TEXT,
            positive INTEGER NOT NULL DEFAULT 0,
            argued INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX call_by_campaign ON call (campaign_id, placed_at);
        CREATE INDEX call_in_progress ON call (outcome) WHERE outcome IS NULL;
        CREATE TABLE callback (
            id INTEGER PRIMARY KEY,
            campaign_id INTEGER NOT NULL,
            contact_id INTEGER NOT NULL,
            due_at INTEGER NOT NULL,
            agent_id INTEGER,
            note TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL DEFAULT 'pending',
            created_at INTEGER NOT NULL
        );
        CREATE INDEX callback_due ON callback (campaign_id, state, due_at);
        CREATE TABLE import (
            id INTEGER PRIMARY KEY,
            campaign_id INTEGER NOT NULL,
            list_id INTEGER NOT NULL,
            file_name TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'running',
            started_at INTEGER NOT NULL,
            finished_at INTEGER,
            accepted INTEGER NOT NULL DEFAULT 0,
            rejected INTEGER NOT NULL DEFAULT 0,
            settings TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE import_rejection (
            import_id INTEGER NOT NULL,
            line INTEGER NOT NULL,
            reason TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE INDEX import_rejection_by_import ON import_rejection (import_id, line);
        """,
    ),
    (
        "API sessions",
        """
        -- An API session: the SHA-256 of its opaque bearer token (the token itself is never
        -- stored), its user, and when it expires; last_used_at moves at most once a minute.
        CREATE TABLE api_session (
            token_hash BLOB PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES user(id),
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            last_used_at INTEGER NOT NULL,
            address TEXT
        ) WITHOUT ROWID;
        CREATE INDEX api_session_by_user ON api_session (user_id);
        """,
    ),
    (
        "supervision audit, supervisor-agent chat",
        """
        -- One line per stretch of supervision in one mode on one call: a mode switch closes the
        -- line and opens the next (same session), so each mode's time is ended_at - started_at.
        CREATE TABLE supervision_audit (
            id INTEGER PRIMARY KEY,
            session INTEGER NOT NULL,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id),
            supervisor_id INTEGER NOT NULL REFERENCES user(id),
            agent_id INTEGER NOT NULL REFERENCES agent(id),
            call_id INTEGER,
            mode TEXT NOT NULL,
            started_at INTEGER NOT NULL,
            ended_at INTEGER,
            end_reason TEXT
        );
        CREATE INDEX supervision_audit_by_tenant ON supervision_audit (tenant_id, started_at);
        CREATE TABLE agent_message (
            id INTEGER PRIMARY KEY,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id),
            agent_id INTEGER NOT NULL REFERENCES agent(id),
            from_user INTEGER NOT NULL REFERENCES user(id),
            at INTEGER NOT NULL,
            text TEXT NOT NULL
        );
        CREATE INDEX agent_message_by_agent ON agent_message (agent_id, id);
        """,
    ),
)


def migrate(db: sqlite3.Connection) -> int:
    """Applies the migrations this file knows and the database has not seen; returns the version.

    Each migration runs in its own transaction with its version bump, so a crash leaves the
    database at a version it fully has."""
    current = db.execute("PRAGMA user_version").fetchone()[0]
    if current > len(MIGRATIONS):
        raise StoreError(
            f"the database is at schema version {current}, newer than this ccengine ({len(MIGRATIONS)})",
            "schema-too-new",
        )
    for version in range(current + 1, len(MIGRATIONS) + 1):
        _, script = MIGRATIONS[version - 1]
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(script):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {version}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)


def _statements(script: str) -> list[str]:
    """Splits a migration into statements (executescript would commit on its own)."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete statement in a migration: {pending.strip()[:80]}")
    return statements
