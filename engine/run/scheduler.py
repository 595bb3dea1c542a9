"""FIFO claiming: the only place a queued job becomes running on this machine."""

from __future__ import annotations

from engine.errors import EngineError
from engine.store import lease, lifecycle
from engine.store.lifecycle import Source, Status
from engine.store.models import Job, database


class LeaseLost(EngineError):
    """Another engine took over this HORNQ_HOME; this one must stop claiming."""


def claim_next(token: str) -> Job | None:
    """Atomically take the oldest queued local job, if this engine still holds the lease."""
    with database.atomic():
        if not lease.holds(token):
            raise LeaseLost("the engine lease was taken over by another engine")
        # Plain SQL: the engine claims once per job, and Peewee's query builder cost more than the query.
        row = database.execute_sql(
            f"SELECT id FROM {Job._meta.table_name} WHERE status = ? AND executor = 'local' "
            "ORDER BY queue_seq LIMIT 1",
            (Status.QUEUED,),
        ).fetchone()
        if row is None:
            return None
        lifecycle.transition(row[0], Status.RUNNING, source=Source.ENGINE, expect=Status.QUEUED,
                             stage="starting", stage_message="starting", progress=0.0)
    return next(iter(Job.raw(f"SELECT * FROM {Job._meta.table_name} WHERE id = ?", row[0])))


def queued_count() -> int:
    return Job.select().where(Job.status == Status.QUEUED).count()
