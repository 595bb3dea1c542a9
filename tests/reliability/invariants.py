"""What must hold after any fault: legal histories, no duplicate runs, results where promised, an intact file."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

from engine.store.lifecycle import ALLOWED, TERMINAL, Status
from engine.store.models import Job, JobEvent, JobResult, database


def integrity_ok() -> bool:
    return database.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"


def history_is_legal(job_id: str) -> bool:
    """Born queued, every step an allowed move from the previous state, and nothing after a terminal state."""
    events = list(JobEvent.select().where(JobEvent.job == job_id).order_by(JobEvent.id))
    if not events or (events[0].from_status, events[0].to_status) != (None, Status.QUEUED):
        return False
    for before, after in itertools.pairwise(events):
        if after.from_status != before.to_status or Status(after.to_status) not in ALLOWED.get(
            Status(before.to_status), frozenset()
        ):
            return False
    return events[-1].to_status == Job.get_by_id(job_id).status


def starts(path: Path) -> Counter[str]:
    """How many times each job's program began, from the side-effect file the programs append to."""
    return Counter(path.read_text().split()) if path.exists() else Counter()


def check_all(start_file: Path | None = None) -> list[str]:
    """Every invariant over every job; returns the violations (empty when all hold)."""
    problems = []
    if not integrity_ok():
        problems.append("PRAGMA integrity_check failed")
    counts = starts(start_file) if start_file else Counter()
    for job in Job.select():
        if not history_is_legal(job.id):
            problems.append(f"{job.id[:8]}: illegal history")
        if counts[job.id] > 1:
            problems.append(f"{job.id[:8]}: started {counts[job.id]} times")
        has_result = JobResult.select().where(JobResult.job == job.id).exists()
        if job.status == Status.COMPLETE and not (has_result and job.has_results):
            problems.append(f"{job.id[:8]}: complete without results")
        if job.status == Status.CANCELLED and has_result:
            problems.append(f"{job.id[:8]}: cancelled with results attached")
        if job.status in TERMINAL and job.completed_at is None:
            problems.append(f"{job.id[:8]}: terminal without completion time")
    return problems
