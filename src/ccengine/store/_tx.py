"""Transactions: every store function that changes state runs in one ``BEGIN IMMEDIATE``
transaction (the write lock is taken first, so two processes never deadlock upgrading a read),
and every read of several statements in one snapshot."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


Work = Callable[Concatenate[sqlite3.Connection, P], T]


def _in_transaction(begin: str) -> Callable[[Work[P, T]], Work[P, T]]:
    def decorate(function: Work[P, T]) -> Work[P, T]:
        @functools.wraps(function)
        def run(db: sqlite3.Connection, /, *args: P.args, **kwargs: P.kwargs) -> T:
            if db.in_transaction:  # called from another store function: join its transaction
                return function(db, *args, **kwargs)
            db.execute(begin)
            try:
                result = function(db, *args, **kwargs)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result

        return run

    return decorate


write = _in_transaction("BEGIN IMMEDIATE")
read = _in_transaction("BEGIN")
