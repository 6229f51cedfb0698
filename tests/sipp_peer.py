"""SIPp (Debian ``sip-tester``, installed by ``./dev setup``) as a peer in Python tests."""

from __future__ import annotations

import contextlib
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

#: The SIPp scenarios shared with the Rust interop tests.
SCENARIOS = Path(__file__).parents[1] / "native" / "sip" / "tests" / "scenarios"


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def sipp(args: list[str], cwd: Path, calls: int = 1) -> Iterator[subprocess.Popen[bytes]]:
    """SIPp running ``calls`` calls (``-m``) on 127.0.0.1; killed if still running when the block ends."""
    command = ["sipp", "-i", "127.0.0.1", "-m", str(calls), "-nostdin", "-timeout", "20s", "-timeout_error", *args]
    with subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as process:
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()


def succeeded(process: subprocess.Popen[bytes]) -> bool:
    """Wait for SIPp; True when every call succeeded (exit 0)."""
    return process.wait(timeout=30) == 0
