"""Pruning old finished jobs so the database stays small: by age and by count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.paths import Home
from engine.store import settings
from engine.store.db import next_value
from engine.store.jobs import remove_files
from engine.store.lifecycle import TERMINAL
from engine.store.models import Job, JobTombstone, database

BATCH = 500


def prunable() -> list[str]:
    """Ids of terminal jobs older than retention_days or beyond the newest retention_max_jobs."""
    cutoff = (datetime.now(UTC) - timedelta(days=settings.get("retention_days"))).isoformat()
    terminal = Job.select(Job.id).where(Job.status.in_(list(TERMINAL)))
    old = {job.id for job in terminal.where(Job.completed_at < cutoff)}
    beyond = {
        job.id
        for job in terminal.order_by(Job.completed_at.desc(), Job.queue_seq.desc()).offset(
            settings.get("retention_max_jobs")
        )
    }
    return sorted(old | beyond)


def prune(home: Home, *, dry_run: bool = False) -> list[str]:
    ids = prunable()
    if not dry_run:
        for start in range(0, len(ids), BATCH):
            delete_batch(home, ids[start : start + BATCH])
    return ids


def delete_batch(home: Home, ids: list[str]) -> None:
    """Delete one batch of finished jobs (one short transaction), then their files."""
    with database.atomic():
        Job.delete().where(Job.id.in_(ids) & Job.status.in_(list(TERMINAL))).execute()
        seq = next_value("change")
        JobTombstone.insert_many(
            [(job_id, seq) for job_id in ids], fields=[JobTombstone.job_id, JobTombstone.change_seq]
        ).on_conflict_replace().execute()
    for job_id in ids:
        remove_files(job_id, home)
