"""Inbound staffing: Erlang C (callers wait forever) and Erlang A (callers abandon after an
exponential patience), and the fewest agents meeting a service-level target."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ccengine.errors import PacingError


def _positive(name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise PacingError(f"{name} must be a positive number (got {value})", "bad-config")


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability of `agents` servers offered `traffic` erlangs (stable recursion)."""
    b = 1.0
    for k in range(1, agents + 1):
        b = traffic * b / (k + traffic * b)
    return b


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a caller waits (M/M/n), 1 when the agents cannot keep up."""
    if agents <= traffic:
        return 1.0
    b = erlang_b(agents, traffic)
    return agents * b / (agents - traffic * (1 - b))


@dataclass(frozen=True, slots=True)
class Staffing:
    agents: int
    service_level: float
    """Share of callers answered within the target time."""
    wait_probability: float
    mean_wait: float
    """Seconds, over all callers (Erlang C) or over callers answered and abandoned (Erlang A)."""
    abandon_rate: float
    occupancy: float


def erlang_c_staffing(agents: int, calls_per_hour: float, handle_seconds: float, target_seconds: float) -> Staffing:
    _positive("calls_per_hour", calls_per_hour)
    _positive("handle_seconds", handle_seconds)
    traffic = calls_per_hour * handle_seconds / 3600
    pw = erlang_c(agents, traffic)
    if agents <= traffic:
        return Staffing(agents, 0.0, 1.0, math.inf, 0.0, 1.0)
    rate = (agents - traffic) / handle_seconds
    sl = 1 - pw * math.exp(-rate * target_seconds)
    return Staffing(agents, sl, pw, pw / rate, 0.0, traffic / agents)


def erlang_a_staffing(
    agents: int, calls_per_hour: float, handle_seconds: float, target_seconds: float, patience_seconds: float
) -> Staffing:
    """M/M/n+M: the birth-death chain of callers in the system, truncated far in its tail; the
    service level counts callers answered within the target (abandoned ones fail it)."""
    _positive("calls_per_hour", calls_per_hour)
    _positive("handle_seconds", handle_seconds)
    _positive("patience_seconds", patience_seconds)
    lam, mu, theta = calls_per_hour / 3600, 1 / handle_seconds, 1 / patience_seconds
    n = agents
    # Enough queue states that the tail mass is negligible.
    depth = int(n + min(400, 10 + 20 * math.sqrt(lam / theta + 1) + 5 * lam / theta))
    log_p = np.zeros(depth + 1)
    for k in range(1, depth + 1):
        death = min(k, n) * mu + max(k - n, 0) * theta
        log_p[k] = log_p[k - 1] + math.log(lam / death)
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    queued = np.arange(depth + 1) - n
    abandon_rate = float((p[n + 1 :] * queued[n + 1 :] * theta).sum() / lam) if n < depth else 0.0
    wait_probability = float(p[n:].sum())
    # A caller arriving with j callers ahead in queue (j = k - n) is answered once j + 1 agents
    # free up, before its own patience runs out: the position chain j -> j - 1 at rate
    # n mu + j theta (service ahead or an abandon ahead), abandoned at rate theta.
    # P(answered within t) by uniformisation over positions 0..J.
    big_j = depth - n
    positions = np.arange(big_j + 1)
    down = n * mu + positions * theta
    total = down + theta
    unif = float(total.max())
    steps = int(unif * target_seconds + 10 * math.sqrt(unif * target_seconds + 1) + 20)
    state = np.zeros((big_j + 1, big_j + 1))  # state[start, position] probabilities
    np.fill_diagonal(state, 1.0)
    served = np.zeros(big_j + 1)
    weight = math.exp(-unif * target_seconds)
    answered_by_t = np.zeros(big_j + 1)
    for step in range(steps + 1):
        answered_by_t += weight * served
        # one uniformised step
        to_served = state[:, 0] * down[0] / unif
        moved = np.zeros_like(state)
        moved[:, :-1] += state[:, 1:] * (down[1:] / unif)
        stay = 1 - total / unif
        moved += state * stay
        state = moved
        served = served + to_served
        weight *= unif * target_seconds / (step + 1)
    waiting = p[n:]
    sl = float(p[:n].sum() + (waiting[: big_j + 1] * answered_by_t[: len(waiting)]).sum())
    in_queue = float((p[n:] * queued[n:]).sum())
    mean_wait = in_queue / lam
    busy = float((p * np.minimum(np.arange(depth + 1), n)).sum())
    return Staffing(agents, sl, wait_probability, mean_wait, abandon_rate, busy / n)


def agents_needed(
    calls_per_hour: float,
    handle_seconds: float,
    target_seconds: float,
    service_level: float,
    patience_seconds: float | None = None,
) -> Staffing:
    """Fewest agents whose service level meets the target: Erlang C, or Erlang A when callers
    have a mean patience."""
    if not 0 < service_level < 1:
        raise PacingError(f"service level must be between 0 and 1 (got {service_level})", "bad-config")
    _positive("calls_per_hour", calls_per_hour)
    _positive("handle_seconds", handle_seconds)
    traffic = calls_per_hour * handle_seconds / 3600
    start = 1 if patience_seconds is not None else max(1, math.floor(traffic) + 1)
    for agents in range(start, int(traffic * 3 + 50)):
        s = (
            erlang_c_staffing(agents, calls_per_hour, handle_seconds, target_seconds)
            if patience_seconds is None
            else erlang_a_staffing(agents, calls_per_hour, handle_seconds, target_seconds, patience_seconds)
        )
        if s.service_level >= service_level:
            return s
    raise PacingError("no staffing level up to three times the traffic meets the target", "bad-config")
