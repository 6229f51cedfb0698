//! The event queue's doorbell: an eventfd that becomes readable when events are waiting, so an
//! event loop (trio's `wait_readable`) can sleep on it instead of polling.

use std::collections::VecDeque;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::Mutex;

use super::event::MediaEvent;

pub struct EventQueue {
    events: Mutex<VecDeque<MediaEvent>>,
    bell: OwnedFd,
}

impl EventQueue {
    pub fn new() -> io::Result<Self> {
        // SAFETY: plain syscall; the result is checked before being owned.
        let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fd is a fresh descriptor owned by nobody else.
        Ok(Self {
            events: Mutex::new(VecDeque::new()),
            bell: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    pub fn fd(&self) -> RawFd {
        self.bell.as_raw_fd()
    }

    /// Queues events and rings once.
    pub fn push_all(&self, events: &mut Vec<MediaEvent>) {
        if events.is_empty() {
            return;
        }
        self.events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(events.drain(..));
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a live u64 to our eventfd. A full counter (EAGAIN) means
        // the bell is already ringing, which is all we need.
        unsafe { libc::write(self.fd(), (&one as *const u64).cast(), 8) };
    }

    /// Silences the bell, then takes up to `max` events. Events queued after the bell was
    /// silenced ring it again, so none is left waiting unannounced.
    pub fn drain(&self, max: usize) -> Vec<MediaEvent> {
        let mut counter: u64 = 0;
        // SAFETY: reads 8 bytes into a live u64; EAGAIN (not ringing) is fine.
        unsafe { libc::read(self.fd(), (&mut counter as *mut u64).cast(), 8) };
        let mut q = self.events.lock().unwrap_or_else(|p| p.into_inner());
        let n = q.len().min(max);
        let out: Vec<MediaEvent> = q.drain(..n).collect();
        if !q.is_empty() {
            let one: u64 = 1;
            // SAFETY: as in push_all.
            unsafe { libc::write(self.fd(), (&one as *const u64).cast(), 8) };
        }
        out
    }
}
