//! The engine's outbox: events queue up here and a file descriptor becomes readable when there
//! is something to take, so a Python event loop (trio `wait_readable`) sleeps until then and
//! takes events in batches. Nothing calls back into the consumer.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use crate::call::types::Event;
use crate::error::{Result, SipError};

pub struct EventQueue {
    queue: Mutex<VecDeque<Event>>,
    arrived: Condvar,
    /// Readable end, handed to the consumer's event loop.
    wake_reader: UnixStream,
    wake_writer: UnixStream,
}

impl EventQueue {
    pub fn new() -> Result<Self> {
        let (wake_reader, wake_writer) =
            UnixStream::pair().map_err(|e| SipError::Stack(e.to_string()))?;
        for end in [&wake_reader, &wake_writer] {
            end.set_nonblocking(true)
                .map_err(|e| SipError::Stack(e.to_string()))?;
        }
        Ok(Self {
            queue: Mutex::new(VecDeque::new()),
            arrived: Condvar::new(),
            wake_reader,
            wake_writer,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Event>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn wake(&self) {
        // A full socket buffer already means "readable": a lost byte loses nothing.
        let _ = (&self.wake_writer).write(&[1]);
    }

    pub fn push(&self, event: Event) {
        let mut queue = self.lock();
        let was_empty = queue.is_empty();
        queue.push_back(event);
        drop(queue);
        self.arrived.notify_all();
        if was_empty {
            self.wake();
        }
    }

    /// Take up to `max` events. The descriptor stays readable while events remain.
    pub fn drain(&self, max: usize) -> Vec<Event> {
        let mut sink = [0u8; 256];
        while matches!((&self.wake_reader).read(&mut sink), Ok(n) if n > 0) {}
        let mut queue = self.lock();
        let take = max.min(queue.len());
        let batch: Vec<Event> = queue.drain(..take).collect();
        let more = !queue.is_empty();
        drop(queue);
        if more {
            self.wake();
        }
        batch
    }

    /// Block until an event is queued or `timeout` passes (for Rust callers without an event loop).
    pub fn wait(&self, timeout: Duration) -> bool {
        let queue = self.lock();
        let (queue, _) = self
            .arrived
            .wait_timeout_while(queue, timeout, |q| q.is_empty())
            .unwrap_or_else(|p| p.into_inner());
        !queue.is_empty()
    }

    pub fn wake_fd(&self) -> RawFd {
        self.wake_reader.as_raw_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::types::{LegEvent, LegId};

    /// Whether the descriptor is readable; a byte read to find out is put back.
    fn readable(q: &EventQueue) -> bool {
        let mut buf = [0u8; 1];
        let got = matches!((&q.wake_reader).read(&mut buf), Ok(1));
        if got {
            q.wake();
        }
        got
    }

    #[test]
    fn descriptor_is_readable_exactly_while_events_wait() {
        let q = EventQueue::new().unwrap();
        assert!(!readable(&q));
        for n in 0..3 {
            q.push(Event::Leg {
                leg: LegId(n),
                event: LegEvent::Trying,
            });
        }
        assert!(readable(&q));
        assert_eq!(q.drain(2).len(), 2);
        assert!(readable(&q), "one event left: still readable");
        assert_eq!(q.drain(10).len(), 1);
        assert!(!readable(&q));
        assert!(!q.wait(Duration::from_millis(1)));
    }
}
