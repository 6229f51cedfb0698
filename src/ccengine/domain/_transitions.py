"""Operator actions as tables: each action names the states it may start from and where it leads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from ccengine.errors import DomainError

S = TypeVar("S")


def step(table: Mapping[str, tuple[frozenset[S], S]], current: S, action: str, what: str) -> S:
    """The state after ``action``; DomainError ``unknown-action`` or ``invalid-transition``."""
    try:
        allowed, target = table[action]
    except KeyError:
        raise DomainError(f"unknown action {action!r} on a {what}", "unknown-action") from None
    if current not in allowed:
        raise DomainError(f"cannot {action} a {what} that is {current}", "invalid-transition")
    return target
