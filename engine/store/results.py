"""Storing a finished run's results: the same rows whether the run was local or on SLURM.

Called inside the transaction that records the job's end, so results and status land together. A run that
ends without complete results keeps the frequencies it solved as its partial results: an artifact, never a
results row, so ``has_results`` stays false and a cancelled job still has no results.
"""

from __future__ import annotations

import json
from typing import Any

from peewee import fn

from engine.solvers import entry
from engine.store import metrics as metricstore
from engine.store import sql
from engine.store.models import Job, JobArtifact, JobResult
from engine.timing import parse_time

#: The artifact holding a job's partial results (the results document with its ``"partial"`` marker).
PARTIAL_ARTIFACT = "partial-results.json"


def store(job: Job, results: dict[str, Any], artifacts: dict[str, str]) -> dict[str, Any]:
    """Write results, metrics and artifacts; returns the job fields that say what is stored."""
    sql.put_results(job.id, json.dumps(results))
    metricstore.record(job, results)
    for name, content in artifacts.items():
        JobArtifact.insert(job=job.id, name=name, content=content).on_conflict_replace().execute()
    return {"has_results": True, "has_mesh_artifact": entry(job.kind, "MESH_ARTIFACT") in artifacts}


def store_partial(job: Job, partial: dict[str, Any]) -> None:
    JobArtifact.insert(job=job.id, name=PARTIAL_ARTIFACT, content=json.dumps(partial)).on_conflict_replace().execute()


def stored_partial(job_id: str) -> dict[str, Any] | None:
    row = JobArtifact.get_or_none((JobArtifact.job == job_id) & (JobArtifact.name == PARTIAL_ARTIFACT))
    return None if row is None else json.loads(row.content)


def stored_partial_markers(job_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The ``"partial"`` markers of the jobs among ``job_ids`` that keep partial results, read by SQLite out of the
    stored documents (a listing never parses their polars)."""
    rows = (
        JobArtifact.select(JobArtifact.job, fn.json_extract(JobArtifact.content, "$.partial"))
        .where(JobArtifact.job.in_(job_ids) & (JobArtifact.name == PARTIAL_ARTIFACT))
        .tuples()
    )
    return {job_id: json.loads(marker) for job_id, marker in rows if marker}


def finished_runs(kind: str, limit: int) -> list[dict[str, Any]]:
    """A kind's completed jobs, newest first, as the estimates read them: the results' sweep and metadata (taken
    out of the stored document by SQLite, so the polars are never parsed) and the run time."""
    rows = (
        JobResult.select(
            fn.json_extract(JobResult.results_json, "$.frequencies_hz"),
            fn.json_extract(JobResult.results_json, "$.metadata"),
            Job.started_at,
            Job.completed_at,
        )
        .join(Job)
        .where((Job.kind == kind) & (Job.status == "complete"))
        .order_by(Job.completed_at.desc())
        .limit(limit)
        .tuples()
    )
    runs = []
    for frequencies, metadata, started_at, completed_at in rows:
        started, completed = parse_time(started_at), parse_time(completed_at)
        seconds = (completed - started).total_seconds() if started and completed else None
        results = {"frequencies_hz": json.loads(frequencies or "[]"), "metadata": json.loads(metadata or "{}")}
        runs.append({"results": results, "seconds": seconds})
    return runs
