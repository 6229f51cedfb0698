"""Event kinds, flags, one event, and a columnar batch of events."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from ccengine import _native
from ccengine.metrics import _pack

NONE: int = _native.NONE
"""The id of a dimension that does not apply to an event."""


class EventKind(enum.IntEnum):
    """What happened; the value is the event log's ``kind`` code (docs/metrics.md)."""

    DIAL_ATTEMPT = 0
    RINGING = 1
    ANSWERED_HUMAN = 2
    ANSWERED_MACHINE = 3
    NO_ANSWER = 4
    BUSY = 5
    INVALID_NUMBER = 6
    CONNECTED = 7
    ABANDONED = 8
    HANGUP = 9
    WRAPUP_START = 10
    WRAPUP_END = 11
    DISPOSITION = 12
    AGENT_LOGIN = 13
    AGENT_LOGOUT = 14
    AGENT_PAUSE = 15
    AGENT_RESUME = 16
    CALLBACK_SCHEDULED = 17
    CALLBACK_DONE = 18
    CSAT_SCORED = 19
    NPS_SCORED = 20
    SALE = 21
    MESSAGE_ANSWERED = 22
    QUEUE_ENTERED = 23
    QUEUE_ANSWERED = 24
    QUEUE_ABANDONED = 25
    CAMPAIGN_ACTIVATED = 26
    CAMPAIGN_DEACTIVATED = 27
    LIST_ACTIVATED = 28
    LIST_DEACTIVATED = 29


class Flag(enum.IntFlag):
    POSITIVE = 1
    ARGUED = 2
    SHARED = 4
    FIRST_RESPONSE = 8
    HANDLED = 16


class Event(NamedTuple):
    """One event; ``time`` is UTC microseconds since the epoch."""

    time: int
    kind: int
    tenant: int = NONE
    campaign: int = NONE
    list: int = NONE
    agent: int = NONE
    team: int = NONE
    queue: int = NONE
    channel: int = NONE
    call: int = 0
    value: float = 0.0
    aux: int = 0
    flags: int = 0


#: A column's numpy scalar type: every column holds integers except ``value``.
_ColumnType = type[np.integer] | type[np.floating]

#: Column name -> (numpy dtype, default value).
COLUMNS: Mapping[str, tuple[_ColumnType, int | float]] = {
    "time": (np.int64, 0),
    "kind": (np.uint8, 0),
    "flags": (np.uint16, 0),
    "tenant": (np.uint32, NONE),
    "campaign": (np.uint32, NONE),
    "list": (np.uint32, NONE),
    "agent": (np.uint32, NONE),
    "team": (np.uint32, NONE),
    "queue": (np.uint32, NONE),
    "channel": (np.uint32, NONE),
    "call": (np.uint64, 0),
    "value": (np.float64, 0.0),
    "aux": (np.uint32, 0),
}


class EventBatch:
    """Events as thirteen equal-length, contiguous numpy arrays (one per field), read in place
    by the native aggregator."""

    __slots__ = tuple(COLUMNS)

    time: npt.NDArray[np.int64]
    kind: npt.NDArray[np.uint8]
    flags: npt.NDArray[np.uint16]
    tenant: npt.NDArray[np.uint32]
    campaign: npt.NDArray[np.uint32]
    list: npt.NDArray[np.uint32]
    agent: npt.NDArray[np.uint32]
    team: npt.NDArray[np.uint32]
    queue: npt.NDArray[np.uint32]
    channel: npt.NDArray[np.uint32]
    call: npt.NDArray[np.uint64]
    value: npt.NDArray[np.float64]
    aux: npt.NDArray[np.uint32]

    def __init__(self, columns: Mapping[str, npt.ArrayLike]) -> None:
        unknown = set(columns) - set(COLUMNS)
        if unknown:
            raise ValueError(f"unknown columns: {sorted(unknown)}")
        if "time" not in columns or "kind" not in columns:
            raise ValueError("a batch needs at least the time and kind columns")
        n = len(np.asarray(columns["time"]))
        for name, (dtype, default) in COLUMNS.items():
            if name in columns:
                array = np.ascontiguousarray(columns[name])
                if array.dtype != dtype:
                    array = _cast(name, array, dtype)
                if array.shape != (n,):
                    raise ValueError(f"column {name!r} has shape {array.shape}, expected ({n},)")
            else:
                array = np.full(n, default, dtype=dtype)
            object.__setattr__(self, name, array)

    @classmethod
    def from_columns(cls, **columns: npt.ArrayLike) -> EventBatch:
        """A batch from keyword columns; omitted ones take their default (NONE ids, 0, 0.0)."""
        return cls(columns)

    @classmethod
    def from_events(cls, events: Sequence[Event]) -> EventBatch:
        """A batch from Event tuples, packed by the Cython packer."""
        events = events if isinstance(events, list) else list(events)
        n = len(events)
        arrays: dict[str, np.ndarray] = {name: np.empty(n, dtype=dtype) for name, (dtype, _) in COLUMNS.items()}
        _pack.pack_into(
            events,
            arrays["time"], arrays["kind"], arrays["flags"], arrays["tenant"], arrays["campaign"],
            arrays["list"], arrays["agent"], arrays["team"], arrays["queue"], arrays["channel"],
            arrays["call"], arrays["value"], arrays["aux"],
        )
        return cls(arrays)

    @classmethod
    def empty(cls) -> EventBatch:
        return cls({"time": np.empty(0, np.int64), "kind": np.empty(0, np.uint8)})

    def __len__(self) -> int:
        return len(self.time)

    def columns(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in COLUMNS}

    def event(self, i: int) -> Event:
        """Row ``i`` as an Event."""
        return Event(
            int(self.time[i]), int(self.kind[i]), int(self.tenant[i]), int(self.campaign[i]),
            int(self.list[i]), int(self.agent[i]), int(self.team[i]), int(self.queue[i]),
            int(self.channel[i]), int(self.call[i]), float(self.value[i]), int(self.aux[i]),
            int(self.flags[i]),
        )

    def take(self, rows: slice | npt.NDArray[np.intp]) -> EventBatch:
        """The rows selected, as a new batch."""
        return EventBatch({name: np.ascontiguousarray(getattr(self, name)[rows]) for name in COLUMNS})

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("EventBatch columns are fixed; build a new batch")


def _cast(name: str, array: np.ndarray, dtype: _ColumnType) -> np.ndarray:
    """Converts a column to its dtype, refusing values that would change on the way."""
    if issubclass(dtype, np.floating):
        if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
            raise ValueError(f"column {name!r} must be numeric, not {array.dtype}")
        return array.astype(dtype)
    if array.size and not (np.issubdtype(array.dtype, np.integer) or array.dtype == np.bool_):
        raise ValueError(f"column {name!r} must hold integers, not {array.dtype}")
    info = np.iinfo(dtype)
    if array.size and (array.min() < info.min or array.max() > info.max):
        raise ValueError(f"column {name!r}: values outside {info.min}..{info.max}")
    return array.astype(dtype)
