"""FIFO claiming: the only place a queued job becomes running on this machine."""

from __future__ import annotations

from engine.errors import EngineError
from engine.store import lease, lifecycle, sql
from engine.store.lifecycle import Source, Status
from engine.store.models import Job, database


class LeaseLost(EngineError):
    """Another engine took over this HORNQ_HOME; this one must stop claiming."""


def claim_next(token: str) -> Job | None:
    """Atomically take the oldest queued local job, if this engine still holds the lease."""
    with database.atomic():
        if not lease.holds(token):
            raise LeaseLost("the engine lease was taken over by another engine")
        job_id = sql.oldest_queued_local()
        if job_id is None:
            return None
        lifecycle.transition(
            job_id,
            Status.RUNNING,
            source=Source.ENGINE,
            expect=Status.QUEUED,
            stage="starting",
            stage_message="starting",
            progress=0.0,
        )
    return sql.job_by_id(job_id)


def queued_count() -> int:
    return Job.select().where(Job.status == Status.QUEUED).count()
