"""Typed surface of the PyO3 extension (checked against the binary by mypy.stubtest)."""

from typing_extensions import Buffer
from collections.abc import Iterable, Sequence
from typing import Any, Literal, final

import numpy as np
import numpy.typing as npt

__all__ = [
    "AGENT_STATES",
    "COUNTERS",
    "EVENT_KINDS",
    "FLAGS",
    "INDICATORS",
    "NONE",
    "TZDB_VERSION",
    "AbandonLedger",
    "Aggregator",
    "CallDraws",
    "ChunkSink",
    "ContactChunk",
    "ContactReader",
    "MediaEngine",
    "Pacer",
    "PendingChunk",
    "SipEngine",
    "ZoneTable",
    "call_report",
    "check_scenario",
    "normalize_phone",
    "simulate",
    "synthetic_day",
    "tzif",
]

NONE: int
TZDB_VERSION: str | None
EVENT_KINDS: list[tuple[str, int]]
FLAGS: list[tuple[str, int]]
AGENT_STATES: list[str]
INDICATORS: list[str]
COUNTERS: list[str]

_Cell = tuple[int, int, int, int, int, int, int, int, int, float, float]
# (value, previous, trend, comparison): the names native/events/src/query gives its enums.
_Reported = tuple[float | None, float | None, Literal["up", "down", "stable"] | None, Literal["to_date", "whole"]]

@final
class Aggregator:
    def __new__(
        cls,
        *,
        tz: str,
        week_start: str,
        service_level_seconds: float,
        trend_tolerance: float,
        sizes: dict[str, int],
    ) -> Aggregator: ...
    def sizes(self) -> list[tuple[str, int]]: ...
    def resize(self, dimension_name: str, size: int) -> None: ...
    def push(
        self,
        kind: int,
        time: int,
        tenant: int = 4294967295,
        campaign: int = 4294967295,
        list: int = 4294967295,
        agent: int = 4294967295,
        team: int = 4294967295,
        queue: int = 4294967295,
        channel: int = 4294967295,
        call: int = 0,
        value: float = 0.0,
        aux: int = 0,
        flags: int = 0,
    ) -> None: ...
    def ingest(self, batch: Any) -> tuple[int, list[tuple[int, str, str]]]: ...
    def values(self, now: int, period_name: str, dimension_name: str, id: int) -> list[float | None]: ...
    def rolling(self, now: int, window_name: str, dimension_name: str, id: int) -> list[float | None]: ...
    def report(
        self, now: int, period_name: str, dimension_name: str, id: int
    ) -> tuple[int, int, int, int, int, list[_Reported]]: ...
    def table(self, now: int, period_name: str, dimension_name: str) -> bytes: ...
    def series(
        self, now: int, period_name: str, dimension_name: str, id: int, indicator_name: str
    ) -> list[tuple[int, float | None]]: ...
    def live(self, now: int) -> tuple[int, list[int], int, int, list[tuple[int, int, float]]]: ...
    def tz(self) -> str: ...
    def checkpoint(self) -> bytes: ...
    def restore(self, data: Buffer) -> None: ...
    def agent_state(self, agent: int) -> tuple[str, int] | None: ...

def tzif(name: str) -> tuple[str, bytes]: ...
# Each column is a C-contiguous buffer of its item type, read in place. numpy arrays are named
# beside Buffer because numpy's stubs give ndarray `__buffer__` only from Python 3.12 on.
def call_report(
    time: npt.NDArray[np.int64] | Buffer,
    kind: npt.NDArray[np.uint8] | Buffer,
    flags: npt.NDArray[np.uint16] | Buffer,
    campaign: npt.NDArray[np.uint32] | Buffer,
    agent: npt.NDArray[np.uint32] | Buffer,
    value: npt.NDArray[np.float64] | Buffer,
    tz: str,
) -> tuple[list[tuple[tuple[int, int], _Cell]], _Cell, list[int]]: ...
def synthetic_day(
    *,
    date: str,
    tz: str,
    agents: int,
    teams: int,
    campaigns: int,
    lists: int,
    queues: int,
    target_events: int,
    seed: int,
) -> dict[str, bytes]: ...

@final
class AbandonLedger:
    def __new__(cls, window_name: str) -> AbandonLedger: ...
    def record(self, now: float, humans: int, abandons: int) -> None: ...
    def window(self, now: float) -> tuple[int, int]: ...
    def last_hour(self, now: float) -> tuple[int, int]: ...

@final
class Pacer:
    def __new__(
        cls,
        mode_name: str,
        *,
        ratio: float,
        abandon_cap: float,
        window_name: str,
        target_share: float,
        small_team: int,
        connect_limit: float,
        ring_timeout: float,
        max_lines: int | None,
    ) -> Pacer: ...
    def decide(
        self,
        now: float,
        agents: int,
        idle: int,
        paused: int,
        talking: Sequence[float],
        wrapping: Sequence[float],
        ringing: Sequence[float],
        counts: tuple[int, int, int, int, int, int],
        window: tuple[int, int],
        last_hour: tuple[int, int],
        recent_talk: Sequence[float],
        recent_wrap: Sequence[float],
        recent_answer: Sequence[float],
        records_left: int | None,
        time_left: float | None = None,
    ) -> tuple[int, str, float, float, float]: ...
    def mode(self) -> str: ...
    def gain(self) -> float: ...

def check_scenario(text: str) -> tuple[str, str, float, int, int | None]: ...
def simulate(
    scenario: str,
    policy_name: str,
    seed: int,
    *,
    ratio: float = 1.0,
    abandon_cap: float = 0.03,
    agents: int | None = None,
    records: int | None = None,
    hours: float | None = None,
) -> dict[str, Any]: ...

@final
class ZoneTable:
    def __new__(cls, entries: Iterable[tuple[str, str]]) -> ZoneTable: ...
    def __len__(self) -> int: ...

@final
class ContactChunk:
    @property
    def rows(self) -> list[tuple[int, int, int, str | None, int, str]]: ...
    @property
    def rejected(self) -> list[tuple[int, str, str]]: ...
    @property
    def position(self) -> int: ...

@final
class ContactReader:
    def __new__(
        cls,
        path: str,
        *,
        region: str,
        zones: ZoneTable,
        campaign: int,
        list: int,
        header: bool | None = None,
        phone_column: str | int | None = None,
        delimiter: str | None = None,
        existing: Iterable[str | int] | None = None,
        dnc: Iterable[str | int] | None = None,
        max_field_bytes: int = 16384,
    ) -> ContactReader: ...
    @property
    def encoding(self) -> str: ...
    @property
    def delimiter(self) -> str: ...
    @property
    def header(self) -> bool: ...
    @property
    def columns(self) -> list[str]: ...
    @property
    def phone_column(self) -> int: ...
    @property
    def size(self) -> int: ...
    def read(self, max_rows: int) -> ContactChunk | None: ...
    def read_pending(self, max_rows: int) -> PendingChunk | None: ...

@final
class PendingChunk:
    @property
    def accepted(self) -> int: ...
    @property
    def rejected(self) -> list[tuple[int, str, str]]: ...
    @property
    def position(self) -> int: ...

@final
class ChunkSink:
    def __new__(
        cls,
        path: str,
        *,
        insert_contact: str,
        claim_phone: str,
        drop_contact: str,
        insert_rejection: str,
        count: str,
        insert_zone: str,
        busy_timeout: float = 10.0,
    ) -> ChunkSink: ...
    def land(
        self, chunk: PendingChunk, *, import_id: int, campaign: int, list: int
    ) -> tuple[int, list[tuple[int, str, str]]]: ...

def normalize_phone(text: str, region: str, *, zones: ZoneTable | None = None) -> tuple[str, str | None]: ...

@final
class MediaEngine:
    def __new__(cls, bind: str = "127.0.0.1") -> MediaEngine: ...
    def open_leg(self, codec_name: str) -> tuple[int, str, int]: ...
    def set_remote(
        self, leg: int, host: str, port: int, payload_type: int, event_payload_type: int | None = None
    ) -> None: ...
    def create_room(self) -> int: ...
    def add_to_room(self, room: int, leg: int, role_name: str, mode_name: str = "listen") -> None: ...
    def set_mode(self, leg: int, mode_name: str) -> None: ...
    def move_leg(self, leg: int, room: int) -> None: ...
    def remove_from_room(self, leg: int) -> None: ...
    def close_leg(self, leg: int) -> None: ...
    def close_room(self, room: int) -> None: ...
    def play(self, leg: int, path: str, looped: bool = False) -> None: ...
    def stop_play(self, leg: int) -> None: ...
    def record(self, room: int, path: str) -> None: ...
    def stop_record(self, room: int) -> None: ...
    def detect(
        self,
        leg: int,
        *,
        voice_threshold: int | None = None,
        initial_silence_ms: int | None = None,
        greeting_ms: int | None = None,
        after_greeting_silence_ms: int | None = None,
        total_ms: int | None = None,
        min_word_ms: int | None = None,
        between_words_silence_ms: int | None = None,
        max_words: int | None = None,
        max_word_ms: int | None = None,
    ) -> None: ...
    def send_digits(self, leg: int, digits: str, duration_ms: int = 100) -> None: ...
    def leg_stats(self, leg: int) -> dict[str, int]: ...
    def event_fd(self) -> int: ...
    def drain_events(self, max_events: int = 1024) -> list[tuple[str, dict[str, Any]]]: ...
    def stop(self) -> None: ...

@final
class SipEngine:
    def __new__(cls, config_toml: str, media: MediaEngine | None = None) -> SipEngine: ...
    def local_addrs(self) -> list[tuple[str, str, int]]: ...
    def originate_trunk(self, trunk: str, number: str, caller_id: str, timeout: float) -> int: ...
    def originate_agent(self, user: str, caller_id: str, timeout: float) -> int: ...
    def answer(self, leg: int) -> None: ...
    def ring(self, leg: int) -> None: ...
    def reject(self, leg: int, status: int) -> None: ...
    def hangup(self, leg: int, cause_name: str) -> None: ...
    def bridge(self, a: int, b: int) -> None: ...
    def unbridge(self, a: int, b: int) -> None: ...
    def detach(self, leg: int) -> None: ...
    def hold(self, leg: int, on: bool) -> None: ...
    def agent_contact(self, user: str) -> str | None: ...
    def leg_count(self) -> int: ...
    def rtp_packets(self, leg: int) -> int | None: ...
    def media_leg(self, leg: int) -> tuple[int, str, int] | None: ...
    def sip_leg(self, media_leg: int) -> int | None: ...
    def room(self, leg: int) -> int | None: ...
    def drain_events(self, max: int) -> list[tuple[str, int, tuple[object, ...]]]: ...
    def wake_fd(self) -> int: ...
    def shutdown(self) -> None: ...

@final
class CallDraws:
    def __new__(cls, scenario: str, seed: int) -> CallDraws: ...
    def call(self, rank: int, at_seconds: float) -> tuple[str, float, float, float]: ...
    def pauses(self, agent: int, count: int) -> list[tuple[float, float]]: ...
    def ring_timeout(self) -> float: ...
