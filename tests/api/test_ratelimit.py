"""The login limiter's sliding windows, on a clock the test moves."""

from __future__ import annotations

from ccengine.api import LoginLimiter, LoginLimits


def test_failures_expire_with_the_window() -> None:
    now = [0.0]
    limiter = LoginLimiter(LoginLimits(per_account=2, per_address=5, window_s=60), clock=lambda: now[0])
    assert limiter.retry_after("alice", "10.0.0.1") is None
    limiter.failed("alice", "10.0.0.1")
    now[0] = 10
    limiter.failed("alice", "10.0.0.1")
    assert limiter.retry_after("alice", "10.0.0.2") == 50  # the first failure leaves the window at 60
    now[0] = 60.5
    assert limiter.retry_after("alice", "10.0.0.2") is None


def test_the_address_limit_spans_accounts_and_success_clears_the_account() -> None:
    limiter = LoginLimiter(LoginLimits(per_account=3, per_address=3, window_s=60), clock=lambda: 0.0)
    for name in ("a", "b", "c"):
        limiter.failed(name, "10.0.0.9")
    assert limiter.retry_after("d", "10.0.0.9") == 60
    assert limiter.retry_after("d", "10.0.0.8") is None
    limiter.succeeded("a")
    assert limiter.retry_after("a", "10.0.0.8") is None
