"""The media engine under trio: RTP legs, mixing rooms (listen, whisper, barge, takeover),
prompts, recordings and answering-machine detection (docs/media.md).

Packets never reach Python: the native media thread does the per-packet work, and Python sends
commands and receives events. ``Media.run`` owns the engine for the life of a nursery task and
forwards its events to ``Media.events`` whenever the engine's event descriptor becomes
readable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import trio

from ccengine._native import MediaEngine
from ccengine.errors import MediaError

__all__ = ["CODECS", "MODES", "ROLES", "Codec", "Leg", "Media", "MediaError", "MediaEvent", "Mode", "Role"]

Codec = Literal["PCMU", "PCMA"]
Role = Literal["customer", "agent", "supervisor"]
Mode = Literal["listen", "persistent-listen", "whisper", "barge", "takeover", "takeover-agent-listening"]
CODECS: tuple[Codec, ...] = get_args(Codec)
ROLES: tuple[Role, ...] = get_args(Role)
MODES: tuple[Mode, ...] = get_args(Mode)


@dataclass(frozen=True)
class Leg:
    """An open RTP leg: its id and the local address to offer in SDP."""

    id: int
    host: str
    port: int


@dataclass(frozen=True)
class MediaEvent:
    """One event of the engine: ``kind`` (``prompt-started``, ``detection``, ``recording-ended``
    …) and its fields, as listed in docs/media.md."""

    kind: str
    fields: dict[str, Any]


class Media:
    """Commands to the media engine, and its events on ``events``. Start with
    ``await nursery.start(media.run)``; cancelling ``run`` stops the engine."""

    def __init__(self, *, bind: str = "127.0.0.1") -> None:
        self._bind = bind
        self._engine: MediaEngine | None = None
        self._send, self.events = trio.open_memory_channel[MediaEvent](math.inf)

    @property
    def engine(self) -> MediaEngine:
        if self._engine is None:
            raise MediaError("the media engine is not running", "stopped")
        return self._engine

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        engine = MediaEngine(self._bind)
        self._engine = engine
        try:
            task_status.started()
            while True:
                await trio.lowlevel.wait_readable(engine.event_fd())
                for kind, fields in engine.drain_events():
                    self._send.send_nowait(MediaEvent(kind, fields))
        finally:
            self._engine = None
            engine.stop()
            self._send.close()

    def open_leg(self, codec: Codec = "PCMU") -> Leg:
        return Leg(*self.engine.open_leg(codec))

    def set_remote(
        self, leg: Leg, host: str, port: int, payload_type: int = 0, event_payload_type: int | None = None
    ) -> None:
        self.engine.set_remote(leg.id, host, port, payload_type, event_payload_type)

    def create_room(self) -> int:
        return self.engine.create_room()

    def add_to_room(self, room: int, leg: Leg, role: Role, mode: Mode = "listen") -> None:
        self.engine.add_to_room(room, leg.id, role, mode)

    def set_mode(self, leg: Leg, mode: Mode) -> None:
        self.engine.set_mode(leg.id, mode)

    def move_leg(self, leg: Leg, room: int) -> None:
        self.engine.move_leg(leg.id, room)

    def remove_from_room(self, leg: Leg) -> None:
        self.engine.remove_from_room(leg.id)

    def close_leg(self, leg: Leg) -> None:
        self.engine.close_leg(leg.id)

    def close_room(self, room: int) -> None:
        self.engine.close_room(room)

    def play(self, leg: Leg, path: Path, *, loop: bool = False) -> None:
        self.engine.play(leg.id, str(path), loop)

    def stop_play(self, leg: Leg) -> None:
        self.engine.stop_play(leg.id)

    def record(self, room: int, path: Path) -> None:
        self.engine.record(room, str(path))

    def stop_record(self, room: int) -> None:
        self.engine.stop_record(room)

    def detect(self, leg: Leg, **thresholds: int) -> None:
        """Answering-machine detection on what the leg's peer says from now on; thresholds by
        name (``greeting_ms=…``), the others keep their defaults (docs/media.md)."""
        self.engine.detect(leg.id, **thresholds)

    def send_digits(self, leg: Leg, digits: str, duration_ms: int = 100) -> None:
        self.engine.send_digits(leg.id, digits, duration_ms)

    def leg_stats(self, leg: Leg) -> dict[str, int]:
        return self.engine.leg_stats(leg.id)
