"""The stored event log: batches appended as segment files of raw columns, read back
memory-mapped (no parsing, no copy) to rebuild an aggregator after a restart, and checkpoints
of the aggregator so a restart replays only what came after the newest one.

A segment is one file: an 8-byte magic, a little-endian u64 row count, then each column of
``COLUMNS`` in order, each starting on a 64-byte boundary. It is written to a temporary name,
flushed to disk, then renamed, so a crash leaves either the whole segment or none of it.

A checkpoint, ``checkpoint-<n>.ckp``, is the aggregator's whole state (``Aggregator.checkpoint``:
configuration, counters, agents, queues, activity) once it has ingested segments 1 to ``n``,
written the same durable way. ``rebuild`` restores the newest checkpoint, then ingests only the
segments numbered after it, so a restart costs reading one checkpoint plus the recent
segments instead of the whole day. A damaged checkpoint is refused (``MetricsError``,
slug ``bad-checkpoint``), never half-loaded: delete it and ``rebuild`` replays every segment.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import struct
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ccengine.metrics._aggregator import Aggregator, IngestReport, Rejection
from ccengine.metrics._events import COLUMNS, EventBatch

# Segments are little-endian and mapped as native arrays, so the engine reads them in place.
if sys.byteorder != "little":
    raise ImportError("the event log format is little-endian; big-endian hosts are not supported")

MAGIC = b"CCEVLOG1"
_HEADER = struct.Struct("<8sQ")
_ALIGN = 64


def _layout(rows: int) -> list[tuple[str, np.dtype, int]]:
    """(column, dtype, byte offset) of each column in a segment of ``rows`` rows."""
    offset = _HEADER.size
    layout = []
    for name, (dtype, _) in COLUMNS.items():
        offset = -(-offset // _ALIGN) * _ALIGN
        dt = np.dtype(dtype)
        layout.append((name, dt, offset))
        offset += rows * dt.itemsize
    return layout


def _number(path: Path) -> int:
    """The sequence number in a segment's or a checkpoint's name."""
    return int(path.stem.split("-")[1])


class EventLog:
    """A directory of segments, read back in the order they were written, and of the newest
    checkpoint."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._last_segment: int | None = None
        """Number of the last segment written, once known: ``append`` lists the directory only
        the first time (a running center writes a segment per batch, several a second, and
        listing thousands of them on every append cost the 200-agent bench half a core)."""

    def segments(self) -> list[Path]:
        return sorted(self.directory.glob("segment-*.evl"))

    def checkpoints(self) -> list[Path]:
        return sorted(self.directory.glob("checkpoint-*.ckp"))

    def _write_durably(self, final: Path, write: Callable[[BinaryIO], None]) -> None:
        """``write`` fills a temporary file, flushed to disk before it is renamed ``final``."""
        partial = final.with_suffix(".partial")
        with open(partial, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, final)
        dir_fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def append(self, batch: EventBatch) -> Path:
        """Writes ``batch`` durably as the next segment and returns its path."""
        if self._last_segment is None:
            existing = self.segments()
            self._last_segment = _number(existing[-1]) if existing else 0
        number = self._last_segment + 1
        final = self.directory / f"segment-{number:08d}.evl"
        rows = len(batch)

        def write(f: BinaryIO) -> None:
            f.write(_HEADER.pack(MAGIC, rows))
            for name, dtype, offset in _layout(rows):
                f.seek(offset)
                f.write(np.ascontiguousarray(getattr(batch, name), dtype=dtype).tobytes())

        self._write_durably(final, write)
        self._last_segment = number
        return final

    def checkpoint(self, aggregator: Aggregator) -> Path:
        """Writes ``aggregator``'s state durably as of the last segment, which it must have
        ingested (and nothing after it), then drops the older checkpoints it supersedes."""
        existing = self.segments()
        return self.write_checkpoint(aggregator.checkpoint(), _number(existing[-1]) if existing else 0)

    def write_checkpoint(self, state: bytes, after_segment: int) -> Path:
        """Writes a state taken once segments 1 to ``after_segment`` were ingested (the state
        can be taken in one thread and written in another), then drops older checkpoints."""
        final = self.directory / f"checkpoint-{after_segment:08d}.ckp"

        def write(f: BinaryIO) -> None:
            f.write(state)

        self._write_durably(final, write)
        for older in self.checkpoints():
            if older != final:
                older.unlink()
        return final

    @staticmethod
    def segment_number(path: Path) -> int:
        """The sequence number of a segment ``append`` returned."""
        return _number(path)

    @staticmethod
    def read(path: Path) -> EventBatch:
        """One segment as a batch whose columns map the file (read-only, no copy)."""
        with open(path, "rb") as f:
            magic, rows = _HEADER.unpack(f.read(_HEADER.size))
        if magic != MAGIC:
            raise ValueError(f"{path} is not an event-log segment")
        if rows == 0:
            return EventBatch.empty()
        raw = np.memmap(path, dtype=np.uint8, mode="r")
        columns = {}
        for name, dtype, offset in _layout(rows):
            end = offset + rows * dtype.itemsize
            if end > len(raw):
                raise ValueError(f"{path} is truncated (column {name})")
            columns[name] = raw[offset:end].view(dtype)
        return EventBatch(columns)

    def batches(self, after: int = 0) -> Iterator[EventBatch]:
        """The segments numbered after ``after``, in order."""
        for path in self.segments():
            if _number(path) > after:
                yield self.read(path)

    def rebuild(self, aggregator: Aggregator) -> IngestReport:
        """A cold start: restores the newest checkpoint into ``aggregator`` (its whole state is
        replaced), then ingests the segments written after it, or every segment if there is no
        checkpoint. The report covers the segments ingested."""
        checkpoints = self.checkpoints()
        after = 0
        if checkpoints:
            _restore(aggregator, checkpoints[-1])
            after = _number(checkpoints[-1])
        accepted = 0
        rejections: list[Rejection] = []
        for batch in self.batches(after):
            report = aggregator.ingest(batch)
            accepted += report.accepted
            rejections.extend(report.rejections)
        return IngestReport(accepted, tuple(rejections))


def _restore(aggregator: Aggregator, path: Path) -> None:
    """Restores a checkpoint mapped, not read: the engine reads it in place. An empty file
    cannot be mapped; it is handed over as it is, and refused like any damaged checkpoint."""
    with open(path, "rb") as f:
        empty = os.fstat(f.fileno()).st_size == 0
        with contextlib.nullcontext(b"") if empty else mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            aggregator.restore(data)
