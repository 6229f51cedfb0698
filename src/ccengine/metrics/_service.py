"""The metrics service: how the rest of the engine feeds the indicator engine under trio.

Any task sends ``Event`` tuples into a channel (``service.sender()``). The service takes what
has arrived as one batch, packs it (the Cython packer), appends it to the event log in a worker
thread — durably, before it is counted, so a crash loses nothing the aggregator showed — then
ingests it. While a batch is being written the next one accumulates, so batches grow with the
load and a quiet center still sees each event at once. Every ``checkpoint_every`` seconds the
aggregator's state is written to the log, so a restart replays only recent segments.

The aggregator stays in the trio thread: queries (``service.aggregator.values(...)``) and
ingestion never run at the same time. After ``close()``, the service ends when every sender is
closed, with a last checkpoint; cancelled, it stops at once, and whatever it counted is in the
log. A failed log write stops it with the error: an event that could not be made durable is
never counted.
"""

from __future__ import annotations

import collections
import math

import trio

from ccengine.metrics._aggregator import Aggregator, Rejection
from ccengine.metrics._events import Event, EventBatch
from ccengine.metrics._hub import Hub
from ccengine.metrics._log import EventLog

__all__ = ["MetricsService"]


class MetricsService:
    def __init__(
        self,
        aggregator: Aggregator,
        log: EventLog | None = None,
        *,
        max_batch: int = 50_000,
        buffer: int = 100_000,
        checkpoint_every: float = 60.0,
        keep_rejections: int = 1_000,
        hub: Hub | None = None,
    ) -> None:
        """``hub``: told about each batch once it is counted (the API's live stream listens)."""
        if max_batch < 1 or buffer < 1:
            raise ValueError("max_batch and buffer must be at least 1")
        self.aggregator = aggregator
        self.log = log
        self.max_batch = max_batch
        self.hub = hub
        self.checkpoint_every = checkpoint_every
        self._send, self._receive = trio.open_memory_channel[Event](buffer)
        self.ingested = 0
        self.rejected = 0
        #: The most recent refused events, with their reason.
        self.rejections: collections.deque[tuple[Event, Rejection]] = collections.deque(maxlen=keep_rejections)
        self.batches = 0
        self._segment = 0
        self._checkpointed_at = -math.inf

    def sender(self) -> trio.MemorySendChannel[Event]:
        """A channel to send events on; close it when done."""
        return self._send.clone()

    def close(self) -> None:
        """No more senders will be made: the service ends once every sender is closed and what
        they sent is logged and counted."""
        self._send.close()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        task_status.started()
        async with self._receive:
            while True:
                try:
                    events = [await self._receive.receive()]
                except trio.EndOfChannel:
                    break
                while len(events) < self.max_batch:
                    try:
                        events.append(self._receive.receive_nowait())
                    except (trio.WouldBlock, trio.EndOfChannel):
                        break
                await self._flush(events)
        if self.log is not None and self.batches:
            await self._checkpoint()

    async def _flush(self, events: list[Event]) -> None:
        batch = EventBatch.from_events(events)
        if self.log is not None:
            # Not abandoned on cancellation: a segment is either written whole or not at all.
            path = await trio.to_thread.run_sync(self.log.append, batch)
            self._segment = EventLog.segment_number(path)
        report = self.aggregator.ingest(batch)
        self.batches += 1
        self.ingested += report.accepted
        self.rejected += report.rejected
        self.rejections.extend((events[r.row], r) for r in report.rejections)
        if self.hub is not None:
            refused = {r.row for r in report.rejections}
            self.hub.publish_events([e for row, e in enumerate(events) if row not in refused] if refused else events)
        if self.log is not None and trio.current_time() - self._checkpointed_at >= self.checkpoint_every:
            await self._checkpoint()

    async def _checkpoint(self) -> None:
        assert self.log is not None
        # The state is taken here, in the trio thread, consistent with the segments written.
        state, after = self.aggregator.checkpoint(), self._segment
        await trio.to_thread.run_sync(self.log.write_checkpoint, state, after)
        self._checkpointed_at = trio.current_time()
