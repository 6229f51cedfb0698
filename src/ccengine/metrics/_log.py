"""The stored event log: batches appended as segment files of raw columns, read back
memory-mapped (no parsing, no copy) to rebuild an aggregator after a restart.

A segment is one file: an 8-byte magic, a little-endian u64 row count, then each column of
``COLUMNS`` in order, each starting on a 64-byte boundary. It is written to a temporary name,
flushed to disk, then renamed, so a crash leaves either the whole segment or none of it.
"""

from __future__ import annotations

import os
import struct
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ccengine.metrics._aggregator import Aggregator, IngestReport
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


class EventLog:
    """A directory of segments, read back in the order they were written."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def segments(self) -> list[Path]:
        return sorted(self.directory.glob("segment-*.evl"))

    def append(self, batch: EventBatch) -> Path:
        """Writes ``batch`` durably as the next segment and returns its path."""
        existing = self.segments()
        number = int(existing[-1].stem.split("-")[1]) + 1 if existing else 1
        final = self.directory / f"segment-{number:08d}.evl"
        partial = final.with_suffix(".partial")
        rows = len(batch)
        with open(partial, "wb") as f:
            f.write(_HEADER.pack(MAGIC, rows))
            for name, dtype, offset in _layout(rows):
                f.seek(offset)
                f.write(np.ascontiguousarray(getattr(batch, name), dtype=dtype).tobytes())
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, final)
        dir_fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return final

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

    def batches(self) -> Iterator[EventBatch]:
        for path in self.segments():
            yield self.read(path)

    def rebuild(self, aggregator: Aggregator) -> IngestReport:
        """Ingests every segment into ``aggregator`` (a cold start from the log)."""
        accepted, rejections = 0, []
        for batch in self.batches():
            report = aggregator.ingest(batch)
            accepted += report.accepted
            rejections.extend(report.rejections)
        return IngestReport(accepted, tuple(rejections))
