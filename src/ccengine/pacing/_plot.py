"""Occupancy and abandon rate over the simulated day, as PNG and SVG (matplotlib, no display)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ccengine.pacing._simulate import Summary


def _series(summary: Summary, bucket: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hours, talk occupancy, talk + wrap-up occupancy per `bucket` minutes, and the abandon rate
    of the trailing hour, each averaged (rates: pooled) over the seeds."""
    staffed = np.sum([r["minute_staffed"] for r in summary.runs], axis=0)
    talk = np.sum([r["minute_talk"] for r in summary.runs], axis=0)
    wrap = np.sum([r["minute_wrap"] for r in summary.runs], axis=0)
    humans = np.sum([r["minute_humans"] for r in summary.runs], axis=0).astype(float)
    abandons = np.sum([r["minute_abandons"] for r in summary.runs], axis=0).astype(float)
    n = len(staffed) // bucket * bucket
    shape = (-1, bucket)
    s = staffed[:n].reshape(shape).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        occ_talk = np.where(s > 0, talk[:n].reshape(shape).sum(axis=1) / s, np.nan)
        occ_busy = np.where(s > 0, (talk[:n] + wrap[:n]).reshape(shape).sum(axis=1) / s, np.nan)
        kernel = np.ones(60)
        h = np.convolve(humans, kernel)[: len(humans)]
        a = np.convolve(abandons, kernel)[: len(abandons)]
        trailing = np.where(h > 0, a / h, np.nan)[bucket - 1 : n : bucket]
    hours = (np.arange(len(s)) + 1) * bucket / 60
    return hours, occ_talk, occ_busy, trailing


def plot_day(summary: Summary, title: str, cap: float, stem: Path) -> list[Path]:
    """Writes `stem`.png and `stem`.svg; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    hours, occ_talk, occ_busy, trailing = _series(summary)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    top.plot(hours, occ_busy * 100, label="talk + wrap-up")
    top.plot(hours, occ_talk * 100, label="talk")
    top.set_ylabel("occupancy (%)")
    top.set_ylim(0, 100)
    top.legend(loc="lower right")
    top.set_title(title)
    bottom.plot(hours, trailing * 100, color="tab:red", label="abandon rate, trailing hour")
    bottom.axhline(cap * 100, color="black", linestyle="--", linewidth=1, label=f"cap {cap:.1%}")
    bottom.set_ylabel("abandoned (% of people)")
    bottom.set_xlabel("hours into the day")
    bottom.set_ylim(0, max(cap * 150, float(np.nanmax(trailing, initial=0)) * 110))
    bottom.legend(loc="upper right")
    fig.tight_layout()
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    for p in paths:
        fig.savefig(p, dpi=100, metadata={"Date": None} if p.suffix == ".svg" else None)
    plt.close(fig)
    return paths
