"""Importing a contact list from a CSV file (docs/contacts.md, "Import").

The native reader (``ccengine._native.ContactReader``) decodes, splits, validates, normalizes
to E.164, finds each number's zone and dedupes, a chunk at a time; the native ``ChunkSink`` lands
each chunk in its own transaction on its own connection. Both run on worker threads with the GIL
released, so reading chunk k+1 really overlaps writing chunk k (Python in the per-row loop would
serialise them on the GIL). A file that cannot be read at all is refused before anything is
written.
"""

from __future__ import annotations

import collections
import functools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import trio

from ccengine._native import ContactReader, PendingChunk
from ccengine.contacts._zones import zone_table
from ccengine.store import Store

#: Rows per chunk: big enough to amortise a transaction, small enough to keep the write lock short.
CHUNK_ROWS = 50_000


@dataclass(frozen=True, slots=True)
class ImportSummary:
    import_id: int
    campaign_id: int
    list_id: int
    file: str
    encoding: str
    delimiter: str
    header: bool
    columns: list[str]
    phone_column: str
    accepted: int
    rejected: int
    rejected_by_reason: dict[str, int]
    rejections: list[tuple[int, str, str]] = field(repr=False)
    """The first rejections (line, reason, detail); all of them are in the store."""
    seconds: float

    def as_dict(self) -> dict[str, object]:
        return {
            "import_id": self.import_id, "campaign_id": self.campaign_id, "list_id": self.list_id, "file": self.file,
            "encoding": self.encoding, "delimiter": self.delimiter, "header": self.header, "columns": self.columns,
            "phone_column": self.phone_column, "accepted": self.accepted, "rejected": self.rejected,
            "rejected_by_reason": self.rejected_by_reason,
            "rejections": [{"line": line, "reason": reason, "detail": detail}
                           for line, reason, detail in self.rejections],
            "seconds": round(self.seconds, 3),
            "rows_per_second": round((self.accepted + self.rejected) / self.seconds) if self.seconds else None,
        }


async def import_file(
    store: Store,
    path: str | os.PathLike[str],
    *,
    campaign_id: int,
    list_name: str | None = None,
    region: str = "FR",
    header: bool | None = None,
    phone_column: str | int | None = None,
    delimiter: str | None = None,
    activate: bool = True,
    keep_rejections: int = 1_000,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Imports ``path`` into a list of the campaign (``list_name``, default the file's name;
    created paused if new, made active at the end when ``activate``). Raises ContactsError (with
    its slug) for a file refused as a whole; rows are rejected one by one with line and reason.
    ``progress(done_bytes, total_bytes)`` is called after each chunk."""
    started = time.perf_counter()
    path = os.fspath(path)
    campaign = await store.campaign(campaign_id)
    existing = await store.campaign_phone_keys(campaign_id)
    dnc = await store.do_not_call_keys(campaign.tenant_id)
    zones = await trio.to_thread.run_sync(zone_table)

    def open_reader(list_id: int, with_sets: bool) -> ContactReader:
        return ContactReader(path, region=region, zones=zones, campaign=campaign_id, list=list_id, header=header,
                             phone_column=phone_column, delimiter=delimiter, existing=existing if with_sets else (),
                             dnc=dnc if with_sets else ())

    # A first look (encoding, delimiter, header, phone column) refuses an unreadable file before
    # anything is written; it reads only the file's first block.
    probe = await trio.to_thread.run_sync(open_reader, 0, False)
    name = list_name or os.path.splitext(os.path.basename(path))[0]
    settings = {"region": region, "encoding": probe.encoding, "delimiter": probe.delimiter,
                "header": probe.header, "phone_column": probe.columns[probe.phone_column]}
    record = await store.begin_import(campaign_id, name, os.path.basename(path), settings)
    reader = await trio.to_thread.run_sync(open_reader, record.list_id, True)
    del probe

    # Read now: once chunks are being read (on a worker thread, GIL released) the reader must not
    # be touched from here until the last one is in.
    size, encoding, delimiter, has_header, columns = (reader.size, reader.encoding, reader.delimiter,
                                                      reader.header, list(reader.columns))
    phone_name = columns[reader.phone_column]
    accepted = 0
    reasons: collections.Counter[str] = collections.Counter()
    kept: list[tuple[int, str, str]] = []
    sink = store.chunk_sink()
    try:
        send, receive = trio.open_memory_channel[PendingChunk](1)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(_read_chunks, reader, send)
            async for chunk in receive:
                added, late = await trio.to_thread.run_sync(
                    functools.partial(sink.land, chunk, import_id=record.id, campaign=campaign_id,
                                      list=record.list_id))
                accepted += added
                for rejection in (*chunk.rejected, *late):
                    reasons[rejection[1]] += 1
                    if len(kept) < keep_rejections:
                        kept.append(rejection)
                if progress is not None:
                    progress(chunk.position, size)
        record = await store.finish_import(record.id, activate=activate)
        del sink  # closes its connection
        await store.checkpoint()
    except BaseException:
        with trio.CancelScope(shield=True):
            await store.abandon_import(record.id)
        raise
    kept.sort()
    return ImportSummary(
        import_id=record.id, campaign_id=campaign_id, list_id=record.list_id, file=path, encoding=encoding,
        delimiter=delimiter, header=has_header, columns=columns, phone_column=phone_name, accepted=accepted,
        rejected=sum(reasons.values()),
        rejected_by_reason=dict(sorted(reasons.items())), rejections=kept, seconds=time.perf_counter() - started,
    )


async def _read_chunks(reader: ContactReader, send: trio.MemorySendChannel[PendingChunk]) -> None:
    async with send:
        while (chunk := await trio.to_thread.run_sync(reader.read_pending, CHUNK_ROWS)) is not None:
            await send.send(chunk)
