"""How long a job has run and how long it has left: one reckoning for the app, the CLI and its JSON.

It reads a job's ``status``, ``progress``, ``stage``, ``started_at``, ``completed_at``, and the running solver's
own prediction ``remaining_s`` made at ``remaining_at`` (ISO 8601 strings as stored), so a database row and the
app's snapshot of one are measured alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Timed(Protocol):
    @property
    def status(self) -> str: ...

    @property
    def progress(self) -> float: ...

    @property
    def started_at(self) -> str | None: ...

    @property
    def completed_at(self) -> str | None: ...

    @property
    def stage(self) -> str | None: ...

    @property
    def remaining_s(self) -> float | None: ...

    @property
    def remaining_at(self) -> str | None: ...


def parse_time(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso) if iso else None


def elapsed_s(job: Timed, now: datetime) -> float | None:
    """Seconds since the job started, or its run time once it ended; None while it has not started."""
    started = parse_time(job.started_at)
    if started is None:
        return None
    end = parse_time(job.completed_at) or now
    return (end - started).total_seconds()


#: Stages whose length says nothing about the rest of the run: a worker building its kernels.
UNTIMED_STAGES = frozenset({"compiling"})


def eta_s(job: Timed, now: datetime) -> float | None:
    """Seconds left: the solver's own prediction (its cost model, corrected by the frequencies measured so far)
    counted down since it was made; for a job without one (a command), the elapsed time extrapolated linearly
    once there is progress to extrapolate from. None while the worker compiles: that says nothing of the rest."""
    if job.status != "running" or job.stage in UNTIMED_STAGES:
        return None
    if job.remaining_s is not None:
        made = parse_time(job.remaining_at)
        since = 0.0 if made is None else max(0.0, (now - made).total_seconds())
        return max(0.0, job.remaining_s - since)
    if job.progress < 0.02:
        return None
    elapsed = elapsed_s(job, now)
    return None if elapsed is None else elapsed * (1 - job.progress) / job.progress


def duration(seconds: float | None) -> str:
    """Short and of bounded width (at most six characters): 42s, 3m07s, 5h12m, 3d04h; empty for no time."""
    if seconds is None or seconds < 0:
        return ""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    return f"{hours // 24}d{hours % 24:02d}h"


def approximate(seconds: float) -> str:
    """``0.4 s``, ``40 s``, ``2.5 min``, ``12 min``, ``3.5 h``: a predicted time, never with more digits than it has."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 100:
        return f"{round(seconds)} s"
    if seconds < 600:
        return f"{seconds / 60:.1f} min"
    if seconds < 6000:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
