"""Persistence: the engine's durable state (docs/data-model.md). SQLite by default, on one
dedicated thread per store; the choice of driver is measured in bench/test_store_driver.py."""

from ccengine.store._access_sql import SessionInfo
from ccengine.store._agents_sql import Activity
from ccengine.store._calls_sql import CallEnd, CallProgress
from ccengine.store._contacts_sql import RECYCLABLE, BulkResult, Claim
from ccengine.store._imports_sql import ImportRecord
from ccengine.store._migrations import MIGRATIONS
from ccengine.store._sqlite import Store, connect
from ccengine.store._supervision_sql import AuditEntry, Message

__all__ = [
    "MIGRATIONS",
    "RECYCLABLE",
    "Activity",
    "AuditEntry",
    "BulkResult",
    "CallEnd",
    "CallProgress",
    "Claim",
    "ImportRecord",
    "Message",
    "SessionInfo",
    "Store",
    "connect",
]
