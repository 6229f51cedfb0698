"""A minimal RTP phone for the media tests: sends a PCMU tone every 20 ms from a trio UDP socket
and keeps the decoded audio it receives. µ-law follows G.711 with numpy."""

from __future__ import annotations

import struct

import numpy as np
import trio

RATE = 8000
FRAME = 160


def ulaw_encode(samples: np.ndarray) -> bytes:
    x = samples.astype(np.int32)
    sign = np.where(x < 0, 0x80, 0)
    magnitude = np.minimum(np.abs(x), 32635) + 0x84
    exponent = np.clip(np.floor(np.log2(np.maximum(magnitude >> 7, 1))).astype(np.int32), 0, 7)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8).tobytes()


def ulaw_decode(data: bytes) -> np.ndarray:
    u = ~np.frombuffer(data, dtype=np.uint8).astype(np.int32) & 0xFF
    exponent = (u >> 4) & 0x07
    magnitude = (((u & 0x0F) << 3) + 0x84 << exponent) - 0x84
    return np.where(u & 0x80, -magnitude, magnitude).astype(np.int16)


def tone_level(samples: np.ndarray, hz: float, rate: int = RATE) -> float:
    """Amplitude of the ``hz`` component, by correlation with a complex exponential."""
    t = np.arange(len(samples)) / rate
    return float(2 * abs(np.dot(samples.astype(np.float64), np.exp(-2j * np.pi * hz * t))) / len(samples))


class Peer:
    def __init__(self, tone_hz: float, amplitude: float = 6000.0) -> None:
        self.tone_hz = tone_hz
        self.amplitude = amplitude
        self.sock = trio.socket.socket(trio.socket.AF_INET, trio.socket.SOCK_DGRAM)
        self.heard: list[np.ndarray] = []
        self.first_sound: float | None = None
        self._seq = 0

    async def close_when_cancelled(self) -> None:
        try:
            await trio.sleep_forever()
        finally:
            self.sock.close()

    async def bind(self) -> tuple[str, int]:
        await self.sock.bind(("127.0.0.1", 0))
        host, port = self.sock.getsockname()
        return host, port

    async def send(self, to: tuple[str, int], frames: int) -> None:
        start = trio.current_time()
        for i in range(frames):
            t = (np.arange(FRAME) + self._seq * FRAME) / RATE
            pcm = (self.amplitude * np.sin(2 * np.pi * self.tone_hz * t)).astype(np.int16)
            header = struct.pack("!BBHII", 0x80, 0, self._seq & 0xFFFF, (self._seq * FRAME) & 0xFFFFFFFF, 4242)
            await self.sock.sendto(header + ulaw_encode(pcm), to)
            self._seq += 1
            await trio.sleep_until(start + (i + 1) * 0.02)

    async def receive_forever(self) -> None:
        while True:
            data = await self.sock.recv(2048)
            if len(data) < 12 or data[1] & 0x7F != 0:
                continue
            pcm = ulaw_decode(data[12:])
            if self.first_sound is None and np.abs(pcm).max() > 64:
                self.first_sound = trio.current_time()
            self.heard.append(pcm)

    def recent(self, frames: int) -> np.ndarray:
        return np.concatenate(self.heard[-frames:]) if self.heard else np.zeros(0, dtype=np.int16)
