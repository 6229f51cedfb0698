//! Batched datagram I/O on Linux: `recvmmsg` drains a socket in one system call, `sendmmsg`
//! sends a batch in one. The message headers, address slots and buffers are allocated once per
//! batch object and reused for every call: no allocation per packet.

use std::io;
use std::mem::{size_of, zeroed};
use std::net::{SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::RawFd;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Large enough for any RTP datagram we accept (an Ethernet MTU).
pub const SLOT_BYTES: usize = 1500;

fn to_storage(addr: SocketAddr, out: &mut libc::sockaddr_storage) -> libc::socklen_t {
    // SAFETY: sockaddr_storage is large and aligned enough for both address families.
    unsafe {
        match addr {
            SocketAddr::V4(a) => {
                let sin = &mut *(out as *mut _ as *mut libc::sockaddr_in);
                sin.sin_family = libc::AF_INET as libc::sa_family_t;
                sin.sin_port = a.port().to_be();
                sin.sin_addr = libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                };
                size_of::<libc::sockaddr_in>() as libc::socklen_t
            }
            SocketAddr::V6(a) => {
                let sin6 = &mut *(out as *mut _ as *mut libc::sockaddr_in6);
                sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
                sin6.sin6_port = a.port().to_be();
                sin6.sin6_addr = libc::in6_addr {
                    s6_addr: a.ip().octets(),
                };
                sin6.sin6_flowinfo = a.flowinfo();
                sin6.sin6_scope_id = a.scope_id();
                size_of::<libc::sockaddr_in6>() as libc::socklen_t
            }
        }
    }
}

fn from_storage(s: &libc::sockaddr_storage) -> Option<SocketAddr> {
    // SAFETY: the family field says which structure the kernel wrote.
    unsafe {
        match i32::from(s.ss_family) {
            libc::AF_INET => {
                let sin = &*(s as *const _ as *const libc::sockaddr_in);
                let ip = u32::from_be(sin.sin_addr.s_addr);
                Some(SocketAddr::V4(SocketAddrV4::new(
                    ip.into(),
                    u16::from_be(sin.sin_port),
                )))
            }
            libc::AF_INET6 => {
                let sin6 = &*(s as *const _ as *const libc::sockaddr_in6);
                Some(SocketAddr::V6(SocketAddrV6::new(
                    sin6.sin6_addr.s6_addr.into(),
                    u16::from_be(sin6.sin6_port),
                    sin6.sin6_flowinfo,
                    sin6.sin6_scope_id,
                )))
            }
            _ => None,
        }
    }
}

/// Room for the ancillary data of one datagram (a kernel receive timestamp), aligned as
/// `cmsghdr` needs.
type Control = [u64; 8];

/// Asks the kernel to stamp each datagram received on `fd` with its arrival time.
pub fn enable_timestamps(fd: RawFd) -> io::Result<()> {
    let on: libc::c_int = 1;
    // SAFETY: setsockopt with a live int.
    let r = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_TIMESTAMPNS,
            (&on as *const libc::c_int).cast(),
            4,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Datagram buffers, address slots and the message headers pointing at them, shared by both
/// directions.
struct Slots {
    buffers: Vec<[u8; SLOT_BYTES]>,
    controls: Vec<Control>,
    addrs: Vec<libc::sockaddr_storage>,
    iovecs: Vec<libc::iovec>,
    headers: Vec<libc::mmsghdr>,
}

// SAFETY: the raw pointers in iovecs/headers point into this struct's own heap buffers, which
// move with it; nothing is shared between threads.
unsafe impl Send for Slots {}

impl Slots {
    fn new(capacity: usize) -> Self {
        Self {
            buffers: vec![[0u8; SLOT_BYTES]; capacity],
            controls: vec![[0u64; 8]; capacity],
            // SAFETY: all-zero is a valid value of these C structures.
            addrs: vec![unsafe { zeroed() }; capacity],
            iovecs: vec![
                libc::iovec {
                    iov_base: std::ptr::null_mut(),
                    iov_len: 0
                };
                capacity
            ],
            headers: vec![unsafe { zeroed() }; capacity],
        }
    }

    fn capacity(&self) -> usize {
        self.buffers.len()
    }

    /// Points header `i` at the first `len` bytes of buffer `i` and `name_len` bytes of
    /// address slot `i`, and at control slot `i` when receiving.
    fn prepare(&mut self, i: usize, len: usize, name_len: libc::socklen_t, control: bool) {
        self.iovecs[i] = libc::iovec {
            iov_base: self.buffers[i].as_mut_ptr().cast(),
            iov_len: len,
        };
        let h = &mut self.headers[i].msg_hdr;
        h.msg_name = (&mut self.addrs[i] as *mut libc::sockaddr_storage).cast();
        h.msg_namelen = name_len;
        h.msg_iov = &mut self.iovecs[i];
        h.msg_iovlen = 1;
        if control {
            h.msg_control = self.controls[i].as_mut_ptr().cast();
            h.msg_controllen = size_of::<Control>() as _;
        } else {
            h.msg_control = std::ptr::null_mut();
            h.msg_controllen = 0;
        }
        h.msg_flags = 0;
        self.headers[i].msg_len = 0;
    }
}

/// Reusable state for one `recvmmsg` call of up to `capacity` datagrams.
pub struct RecvBatch {
    slots: Slots,
    received: usize,
}

impl RecvBatch {
    pub fn new(capacity: usize) -> Self {
        Self {
            slots: Slots::new(capacity),
            received: 0,
        }
    }

    /// Receives what is waiting on a non-blocking socket, up to capacity. Returns the count;
    /// 0 when nothing was waiting.
    pub fn recv(&mut self, fd: RawFd) -> io::Result<usize> {
        let n = self.slots.capacity();
        for i in 0..n {
            let name_len = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
            self.slots.prepare(i, SLOT_BYTES, name_len, true);
        }
        // SAFETY: every header points at live buffers owned by self, sized as declared.
        let got = unsafe {
            libc::recvmmsg(
                fd,
                self.slots.headers.as_mut_ptr(),
                n as u32,
                libc::MSG_DONTWAIT,
                std::ptr::null_mut(),
            )
        };
        if got < 0 {
            let e = io::Error::last_os_error();
            self.received = 0;
            return match e.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => Ok(0),
                // ICMP port unreachable from an earlier send surfaces here: not fatal.
                io::ErrorKind::ConnectionRefused => Ok(0),
                _ => Err(e),
            };
        }
        self.received = got as usize;
        Ok(self.received)
    }

    /// The i-th datagram of the last `recv` and where it came from.
    pub fn get(&self, i: usize) -> Option<(&[u8], SocketAddr)> {
        if i >= self.received {
            return None;
        }
        let len = (self.slots.headers[i].msg_len as usize).min(SLOT_BYTES);
        Some((
            &self.slots.buffers[i][..len],
            from_storage(&self.slots.addrs[i])?,
        ))
    }

    /// When the kernel received the i-th datagram, if the socket has timestamps enabled.
    pub fn arrival(&self, i: usize) -> Option<SystemTime> {
        if i >= self.received {
            return None;
        }
        let header = &self.slots.headers[i].msg_hdr;
        // SAFETY: the kernel filled msg_control up to msg_controllen with well-formed cmsgs;
        // the CMSG macros walk them within those bounds.
        unsafe {
            let mut cmsg = libc::CMSG_FIRSTHDR(header);
            while !cmsg.is_null() {
                if (*cmsg).cmsg_level == libc::SOL_SOCKET
                    && (*cmsg).cmsg_type == libc::SCM_TIMESTAMPNS
                {
                    let ts =
                        std::ptr::read_unaligned(libc::CMSG_DATA(cmsg) as *const libc::timespec);
                    let since = Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
                    return UNIX_EPOCH.checked_add(since);
                }
                cmsg = libc::CMSG_NXTHDR(header, cmsg);
            }
        }
        None
    }
}

/// Reusable state for `sendmmsg` batches of up to `capacity` datagrams.
pub struct SendBatch {
    slots: Slots,
    lens: Vec<usize>,
    addr_lens: Vec<libc::socklen_t>,
    queued: usize,
}

impl SendBatch {
    pub fn new(capacity: usize) -> Self {
        Self {
            slots: Slots::new(capacity),
            lens: vec![0; capacity],
            addr_lens: vec![0; capacity],
            queued: 0,
        }
    }

    pub fn is_full(&self) -> bool {
        self.queued == self.slots.capacity()
    }

    pub fn is_empty(&self) -> bool {
        self.queued == 0
    }

    /// A buffer to write the next datagram into; `commit` queues it.
    pub fn slot(&mut self) -> &mut [u8; SLOT_BYTES] {
        &mut self.slots.buffers[self.queued]
    }

    pub fn commit(&mut self, len: usize, to: SocketAddr) {
        let i = self.queued;
        self.lens[i] = len;
        self.addr_lens[i] = to_storage(to, &mut self.slots.addrs[i]);
        self.queued += 1;
    }

    /// Sends everything queued on `fd` and empties the batch. Returns the datagrams the kernel
    /// took; the rest are dropped (a full socket buffer drops media, as a network would).
    pub fn flush(&mut self, fd: RawFd) -> io::Result<usize> {
        let n = self.queued;
        self.queued = 0;
        for i in 0..n {
            self.slots
                .prepare(i, self.lens[i], self.addr_lens[i], false);
        }
        let mut sent = 0;
        while sent < n {
            // SAFETY: headers [sent, n) point at live buffers owned by self.
            let headers = self.slots.headers[sent..].as_mut_ptr();
            let r = unsafe { libc::sendmmsg(fd, headers, (n - sent) as u32, libc::MSG_DONTWAIT) };
            if r < 0 {
                let e = io::Error::last_os_error();
                return match e.kind() {
                    io::ErrorKind::Interrupted => continue,
                    io::ErrorKind::WouldBlock | io::ErrorKind::ConnectionRefused => Ok(sent),
                    _ => Err(e),
                };
            }
            if r == 0 {
                break;
            }
            sent += r as usize;
        }
        Ok(sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::UdpSocket;
    use std::os::fd::AsRawFd;

    #[test]
    fn a_batch_goes_out_in_one_call_and_comes_back_in_one_call() {
        let a = UdpSocket::bind("127.0.0.1:0").unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").unwrap();
        b.set_nonblocking(true).unwrap();
        let mut send = SendBatch::new(8);
        for i in 0..5u8 {
            send.slot()[..3].copy_from_slice(&[i, i, i]);
            send.commit(3, b.local_addr().unwrap());
        }
        assert_eq!(send.flush(a.as_raw_fd()).unwrap(), 5);
        let mut recv = RecvBatch::new(16);
        let mut got = Vec::new();
        for _ in 0..100 {
            let n = recv.recv(b.as_raw_fd()).unwrap();
            for i in 0..n {
                let (data, from) = recv.get(i).unwrap();
                assert_eq!(from, a.local_addr().unwrap());
                got.push(data.to_vec());
            }
            if got.len() == 5 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert_eq!(got, (0..5u8).map(|i| vec![i, i, i]).collect::<Vec<_>>());
        assert_eq!(
            recv.recv(b.as_raw_fd()).unwrap(),
            0,
            "empty socket: nothing, no error"
        );
    }

    #[test]
    fn datagrams_carry_their_kernel_arrival_time_when_asked() {
        let a = UdpSocket::bind("127.0.0.1:0").unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").unwrap();
        b.set_nonblocking(true).unwrap();
        enable_timestamps(b.as_raw_fd()).unwrap();
        // The kernel turns stamping on for the first such socket through deferred work; until
        // then datagrams are stamped when read.
        std::thread::sleep(std::time::Duration::from_millis(100));
        let sent_at = SystemTime::now();
        a.send_to(b"x", b.local_addr().unwrap()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(30));
        let mut recv = RecvBatch::new(4);
        assert_eq!(recv.recv(b.as_raw_fd()).unwrap(), 1);
        let arrival = recv.arrival(0).expect("a timestamp");
        let delay = arrival.duration_since(sent_at).unwrap_or_default();
        assert!(
            delay < std::time::Duration::from_millis(20),
            "stamped at arrival, not at read: {delay:?}"
        );
        assert_eq!(recv.arrival(1), None);
    }

    #[test]
    fn ipv6_addresses_round_trip() {
        let addr: SocketAddr = "[::1]:5004".parse().unwrap();
        let mut s: libc::sockaddr_storage = unsafe { zeroed() };
        to_storage(addr, &mut s);
        assert_eq!(from_storage(&s), Some(addr));
    }
}
