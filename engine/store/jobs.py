"""Queries and requests on jobs: what CLI, TUI and engine ask of the queue.

Status changes go through ``engine.store.lifecycle``; every other write to a job row goes through
``update_job`` so that the change counter moves and readers polling by it see the change.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from engine import timing
from engine.config.job import JobSpec, check_label
from engine.errors import AmbiguousId, Conflict, NotFound, UsageError
from engine.paths import Home
from engine.store import lifecycle, settings, sql
from engine.store.db import next_value
from engine.store.lifecycle import ACTIVE, Source, Status
from engine.store.models import Job, JobArtifact, JobEvent, JobResult, JobTombstone, database, utcnow

ID_PREFIX_RE = re.compile(r"^[0-9a-f-]{1,36}$")
LIMIT_MAX = 200


def short_id(job_id: str) -> str:
    return job_id[:8]


def submit(
    spec: JobSpec, job_id: str | None = None, *, study_id: str | None = None, study_values: dict[str, Any] | None = None
) -> Job:
    """Queue a validated job; a study member also records its study and varied values (``engine.store.studies``)."""
    return lifecycle.enqueue(_row(spec, settings.get("default_executor"), job_id, study_id, study_values))


def submit_many(specs: Iterable[JobSpec]) -> list[str]:
    """Queue validated jobs in order, all or none, in one transaction; returns their ids.

    For scripts queueing many variants: committing each job on its own costs more than inserting it,
    and a batch pays one commit.
    """
    default_executor = settings.get("default_executor")
    return lifecycle.enqueue_many([_row(spec, default_executor) for spec in specs])


def _row(
    spec: JobSpec,
    default_executor: str,
    job_id: str | None = None,
    study_id: str | None = None,
    study_values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    executor = spec.executor or default_executor
    config = {"kind": spec.kind, **spec.validated.config, "executor": {"kind": executor, **spec.executor_options}}
    return {
        "id": job_id or str(uuid.uuid4()),
        "kind": spec.kind,
        "config_json": json.dumps(config),
        "config_summary_json": json.dumps(spec.validated.summary),
        "label": spec.label,
        "executor": executor,
        "study_id": study_id,
        "study_values_json": None if study_values is None else json.dumps(study_values),
    }


def stored_config(job: Job) -> dict[str, Any]:
    """The job's normalised config in submission form: it validates again as it is."""
    return json.loads(job.config_json)


def rerun(job_id: str, config: dict[str, Any] | None = None) -> Job:
    """Queue a new job with the config of an earlier one (or an edited copy of it).

    A study member's re-run stays in its study at the same point, so it replaces the earlier attempt there.
    """
    from pathlib import Path

    from engine.config.job import parse_config

    original = get(job_id)
    spec = parse_config(config if config is not None else stored_config(original), Path("/"), label=original.label)
    values = json.loads(original.study_values_json) if original.study_values_json else None
    return submit(spec, study_id=original.study_id, study_values=values)


def export_name(job: Job) -> str:
    """A file-name-safe base name for exports: the label's safe characters, or the short id."""
    label = "".join(ch if ch.isalnum() or ch in "-_ ." else "_" for ch in (job.label or "")).strip(" .")
    return label[:100] or short_id(job.id)


def update_job(job_id: str, **fields: Any) -> int:
    """Write non-status fields of a job and move its change counter; returns rows changed."""
    if "status" in fields:
        raise ValueError("status changes go through lifecycle.transition")
    with database.atomic():
        values = {getattr(Job, name): value for name, value in fields.items()}
        values[Job.change_seq] = next_value("change")
        values[Job.updated_at] = utcnow()
        return sql.update_row(Job, job_id, values)


def get(job_id: str) -> Job:
    """A job by full id; another process may have deleted it a moment ago."""
    job = Job.get_or_none(Job.id == job_id)
    if job is None:
        raise NotFound(f"no job {job_id} (it was deleted)")
    return job


def resolve(prefix: str) -> Job:
    """Find a job by id or unique id prefix."""
    text = prefix.strip().lower()
    if not ID_PREFIX_RE.match(text):
        raise UsageError(f"{prefix!r} is not a job id (ids are hexadecimal, like 3f2a9c1e)")
    matches = list(
        Job.select(Job.id, Job.status, Job.label)
        .where((Job.id >= text) & (Job.id < text + "\uffff"))
        .order_by(Job.id)
        .limit(11)
    )
    if not matches:
        raise NotFound(f"no job {prefix}")
    if len(matches) > 1:
        shown = ", ".join(f"{short_id(j.id)} ({j.status})" for j in matches[:10])
        more = " …" if len(matches) > 10 else ""
        raise AmbiguousId(f"{prefix} matches several jobs: {shown}{more}; give more characters")
    return get(matches[0].id)


def job_json(job: Job, now: datetime | None = None) -> dict[str, Any]:
    """One job as in ``hornq jobs --json`` (the shape README documents: scripts rely on it)."""
    now = now or datetime.now(UTC)
    elapsed, eta = timing.elapsed_s(job, now), timing.eta_s(job, now)
    return {
        "id": job.id,
        "status": job.status,
        "progress": round(job.progress, 4),
        "stage": job.stage,
        "stage_message": job.stage_message,
        "created_at": job.created_at,
        "queued_at": job.queued_at,
        "started_at": job.started_at,
        "completed_at": job.completed_at,
        "elapsed_s": None if elapsed is None else round(elapsed, 1),
        "eta_s": None if eta is None else round(eta, 1),
        "config_summary": json.loads(job.config_summary_json),
        "has_results": bool(job.has_results),
        "has_mesh_artifact": bool(job.has_mesh_artifact),
        "label": job.label,
        "error_message": job.error_message,
    }


def status_json(job: Job, now: datetime | None = None) -> dict[str, Any]:
    """One job's state as ``hornq status --json`` gives it; ``elapsed_s`` and ``eta_s`` as in ``job_json``."""
    now = now or datetime.now(UTC)
    message = job.error_message if job.status == Status.ERROR else job.stage_message
    elapsed, eta = timing.elapsed_s(job, now), timing.eta_s(job, now)
    return {
        "status": job.status,
        "progress": round(job.progress, 4),
        "stage": job.stage,
        "stage_message": job.stage_message,
        "message": message,
        "elapsed_s": None if elapsed is None else round(elapsed, 1),
        "eta_s": None if eta is None else round(eta, 1),
    }


def list_jobs(statuses: list[str] | None = None, limit: int = 50, offset: int = 0) -> tuple[list[Job], int]:
    """Newest first, with the total matching count for paging."""
    if not 1 <= limit <= LIMIT_MAX:
        raise UsageError(f"--limit must be between 1 and {LIMIT_MAX} (got {limit})")
    if offset < 0:
        raise UsageError(f"--offset must not be negative (got {offset})")
    query = Job.select()
    if statuses:
        unknown = [s for s in statuses if s not in Status.__members__.values()]
        if unknown:
            raise UsageError(f"unknown status {unknown[0]!r}; statuses are: {', '.join(Status)}")
        query = query.where(Job.status.in_(statuses))
    total = query.count()
    items = list(query.order_by(Job.created_at.desc(), Job.queue_seq.desc()).limit(limit).offset(offset))
    return items, total


@dataclass(frozen=True)
class StopOutcome:
    job_id: str
    outcome: str  # "cancelled" (was queued) or "requested" (running: the engine stops it)


def request_stop(job_id: str, source: Source = Source.USER) -> StopOutcome:
    """Cancel a queued job at once, or ask the engine to stop a running one."""
    with database.atomic():
        job = get(job_id)
        if job.status == Status.QUEUED:
            lifecycle.transition(job_id, Status.CANCELLED, source=source, message="cancelled before start")
            return StopOutcome(job_id, "cancelled")
        if job.status == Status.RUNNING:
            if not job.cancellation_requested:
                update_job(job_id, cancellation_requested=True, stage_message="stopping…")
            return StopOutcome(job_id, "requested")
    raise Conflict(f"job {short_id(job_id)} is already {job.status}")


def delete(job_id: str, home: Home) -> None:
    """Delete a finished job with its results, artifacts, history and log."""
    with database.atomic():
        job = get(job_id)
        if job.status in ACTIVE:
            raise Conflict(f"job {short_id(job_id)} is {job.status}; cancel it first (hornq stop {short_id(job_id)})")
        Job.delete().where(Job.id == job_id).execute()
        JobTombstone.insert(job_id=job_id, change_seq=next_value("change")).on_conflict_replace().execute()
    remove_files(job_id, home)


def remove_files(job_id: str, home: Home) -> None:
    home.job_log(job_id).unlink(missing_ok=True)
    import shutil  # here, not at the top: the CLI's submit path never needs it

    shutil.rmtree(home.job_workdir(job_id), ignore_errors=True)


def set_label(job_id: str, label: str | None) -> str | None:
    checked = check_label(label)
    if not update_job(job_id, label=checked):
        raise NotFound(f"no job {job_id} (it was deleted)")
    return checked


def transitions(job_id: str) -> list[dict[str, Any]]:
    events = JobEvent.select().where(JobEvent.job == job_id).order_by(JobEvent.id)
    return [
        {"from": e.from_status, "to": e.to_status, "at": e.at, "source": e.source, "message": e.message} for e in events
    ]


def results(job_id: str) -> dict[str, Any]:
    row = JobResult.get_or_none(JobResult.job == job_id)
    if row is None:
        raise NotFound(f"job {short_id(job_id)} has no results")
    return json.loads(row.results_json)


def artifact(job_id: str, name: str) -> str:
    row = JobArtifact.get_or_none((JobArtifact.job == job_id) & (JobArtifact.name == name))
    if row is None:
        names = [a.name for a in JobArtifact.select(JobArtifact.name).where(JobArtifact.job == job_id)]
        have = f" (it has: {', '.join(sorted(names))})" if names else ""
        raise NotFound(f"job {short_id(job_id)} has no {name} artifact{have}")
    return row.content


def counts() -> dict[str, int]:
    from peewee import fn

    rows = Job.select(Job.status, fn.COUNT(Job.id).alias("n")).group_by(Job.status)
    found = {row.status: row.n for row in rows}
    return {status.value: found.get(status.value, 0) for status in Status}
