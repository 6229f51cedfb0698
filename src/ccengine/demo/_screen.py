"""What ``ccengine demo`` shows in the terminal: the admin dashboard of seed 000 (agents
connected, active campaigns and lists, production hours, argued calls and positive contacts with
their shares, callbacks on the shared agenda, abandon rate), the campaign's progress and the floor
(agents by state, calls in flight, people waiting). Rendering is a pure function of what was read,
so it is tested apart from the terminal; on a terminal the screen is redrawn in place, elsewhere
(a pipe, CI) one line is printed per refresh.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from ccengine.metrics import Dashboard

__all__ = ["Floor", "Screen", "number", "percent", "render", "summary_line"]


def percent(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f} %"


def number(x: float | None, unit: str = "") -> str:
    if x is None:
        return "—"
    return f"{x:,.0f}{unit}" if float(x).is_integer() else f"{x:,.2f}{unit}"


@dataclass(frozen=True, slots=True)
class Floor:
    """The campaign and the floor, as the demo reads them each refresh."""

    elapsed: float
    campaign: str
    run_state: str
    """``running``, ``paused``, ``stopped``, or ``inactive: <reason>``."""
    contacts: int
    done: int
    """Contacts with a final outcome (nothing left to try)."""
    calls_placed: int
    in_flight: int
    waiting: int
    agents: dict[str, int]
    """Agents by state (``available``, ``on-call``, ``wrap-up``, ``paused`` …)."""


def dashboard_rows(board: Dashboard) -> list[tuple[str, str]]:
    return [
        ("Agents connected", number(board.agents_connected)),
        ("Active campaigns", number(board.active_campaigns)),
        ("Production hours", number(board.production_hours, " h")),
        ("Active contact lists", number(board.active_lists)),
        ("Argued calls", f"{number(board.argued_calls)}  ({percent(board.argued_share)} of calls)"),
        ("Positive contacts", f"{number(board.positive_contacts)}  ({percent(board.positive_share)} of records)"),
        ("Callbacks on the shared agenda", number(board.shared_callbacks)),
        ("Abandon rate", percent(board.abandon_rate)),
    ]


def render(title: str, board: Dashboard, floor: Floor) -> list[str]:
    minutes, seconds = divmod(int(floor.elapsed), 60)
    lines = [f"{title}    {minutes:02d}:{seconds:02d}", "", "Dashboard (seed 000), today"]
    lines += [f"  {label:<32} {value}" for label, value in dashboard_rows(board)]
    agents = " · ".join(f"{n} {state}" for state, n in sorted(floor.agents.items()) if n) or "none logged in"
    lines += [
        "",
        f"Campaign {floor.campaign!r}: {floor.run_state} — {floor.done:,} of {floor.contacts:,} contacts done, "
        f"{floor.calls_placed:,} calls placed",
        f"Floor: {floor.in_flight} calls in flight, {floor.waiting} waiting for an agent; agents: {agents}",
    ]
    return lines


def summary_line(board: Dashboard, floor: Floor) -> str:
    """One line per refresh where the screen cannot be redrawn."""
    return (f"[{int(floor.elapsed):>4} s] {floor.run_state}: {floor.done}/{floor.contacts} done, "
            f"{floor.calls_placed} placed, {floor.in_flight} in flight; agents {board.agents_connected}, "
            f"argued {board.argued_calls}, positive {board.positive_contacts}, "
            f"abandon {percent(board.abandon_rate)}")


class Screen:
    def __init__(self, title: str, out: TextIO | None = None, *, live: bool | None = None) -> None:
        self.title = title
        self.out = sys.stdout if out is None else out
        self.live = self.out.isatty() if live is None else live
        self._drawn = 0

    def show(self, board: Dashboard, floor: Floor) -> None:
        if not self.live:
            print(summary_line(board, floor), file=self.out, flush=True)
            return
        lines = render(self.title, board, floor)
        # Back to the top of what was drawn last, then each line cleared and rewritten.
        up = f"\x1b[{self._drawn}F" if self._drawn else ""
        self.out.write(up + "".join(f"\x1b[2K{line}\n" for line in lines))
        self.out.flush()
        self._drawn = len(lines)

    def print(self, lines: Sequence[str]) -> None:
        self._drawn = 0
        for line in lines:
            print(line, file=self.out, flush=True)
