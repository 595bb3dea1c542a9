"""Job states, the transitions allowed between them, and the one function that changes a status.

Every status change goes through ``transition`` (or ``enqueue`` for a job's birth): it checks the
move is allowed, updates the row and writes the history event in one transaction, so the history
can always explain the current state. Terminal states never change.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from engine.errors import IllegalTransition, NotFound
from engine.store import sql
from engine.store.db import next_value
from engine.store.models import Job, database, utcnow


class Status(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETE = "complete"
    ERROR = "error"
    CANCELLED = "cancelled"


class Source(StrEnum):
    ENGINE = "engine"
    USER = "user"
    RECOVERY = "recovery"
    SLURM = "slurm"


ACTIVE = frozenset({Status.QUEUED, Status.RUNNING})
TERMINAL = frozenset({Status.COMPLETE, Status.ERROR, Status.CANCELLED})
ALLOWED: dict[Status, frozenset[Status]] = {
    Status.QUEUED: frozenset({Status.RUNNING, Status.CANCELLED}),
    Status.RUNNING: frozenset({Status.COMPLETE, Status.ERROR, Status.CANCELLED}),
}


def can_move(current: str, target: str) -> bool:
    return Status(target) in ALLOWED.get(Status(current), frozenset())


def enqueue(fields: dict[str, Any], *, source: Source = Source.USER, message: str = "submitted") -> Job:
    """Create a job in ``queued`` at the back of the FIFO, with its first history row."""
    return Job(**_insert_queued([fields], source, message)[0])


def enqueue_many(rows: list[dict[str, Any]], *, source: Source = Source.USER, message: str = "submitted") -> list[str]:
    """Create jobs in ``queued`` at the back of the FIFO, in order, each with its first history row.

    One transaction for all of them (all or none), and one statement per table: a batch pays one
    commit, not one per job. Every row must name the same fields. Returns the ids, in order.
    """
    return [record["id"] for record in _insert_queued(rows, source, message)]


def _insert_queued(rows: list[dict[str, Any]], source: Source, message: str) -> list[dict[str, Any]]:
    """The job rows as written (field name → value)."""
    if not rows:
        return []
    names = list(rows[0])
    if any(list(fields) != names for fields in rows):
        raise ValueError("every job of a batch must name the same fields")
    now = utcnow()
    columns = [
        getattr(Job, name).column_name
        for name in ("status", "created_at", "updated_at", "queued_at", "queue_seq", "change_seq", *names)
    ]
    with database.atomic():
        first_queue = next_value("queue", len(rows)) - len(rows) + 1
        first_change = next_value("change", len(rows)) - len(rows) + 1
        records = [
            {
                "status": Status.QUEUED,
                "created_at": now,
                "updated_at": now,
                "queued_at": now,
                "queue_seq": first_queue + i,
                "change_seq": first_change + i,
                **fields,
            }
            for i, fields in enumerate(rows)
        ]
        sql.insert_jobs(columns, [list(r.values()) for r in records])
        sql.insert_events([(r["id"], None, Status.QUEUED, now, source, message) for r in records])
    return records


def transition(
    job_id: str,
    target: Status,
    *,
    source: Source,
    message: str | None = None,
    expect: Status | None = None,
    **fields: Any,
) -> Status:
    """Move a job to ``target``; raises IllegalTransition (changing nothing) if the move is not allowed.

    ``expect`` guards against acting on a state the caller did not see (e.g. a cancel racing a start).
    Extra ``fields`` are written in the same update. Returns the status the job came from.
    """
    with database.atomic():
        status = sql.job_status(job_id)
        if status is None:
            raise NotFound(f"no job {job_id}")
        current = Status(status)
        if (expect is not None and current != expect) or not can_move(current, target):
            raise IllegalTransition(f"job {job_id[:8]} is {current}; it cannot become {target}")
        now = utcnow()
        values: dict[Any, Any] = {
            Job.status: target,
            Job.updated_at: now,
            Job.change_seq: next_value("change"),
        }
        if target is Status.RUNNING:
            values[Job.started_at] = now
            values[Job.remaining_s] = None
        if target in TERMINAL:
            values[Job.completed_at] = now
        if target is Status.COMPLETE:
            values[Job.progress] = 1.0
        values.update({getattr(Job, name): value for name, value in fields.items()})
        sql.update_row(Job, job_id, values, where={Job.status: current})
        sql.insert_events([(job_id, current, target, now, source, message)])
    return current
