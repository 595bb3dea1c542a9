"""Metrics kept with each complete job of a kind that has them, in their own table beside the fixed results JSON.

The engine records them in the transaction that marks a job complete. Jobs that finished before metrics
existed (or under an older definition, see ``MetricSet.VERSION``) get theirs on demand: whatever reads metrics
asks ``ensure`` first, which computes the missing ones from the stored results and keeps them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from engine.solvers import metric_set, plugin_modules
from engine.store.models import Job, JobMetrics, JobResult, database

log = logging.getLogger("hornq.metrics")


def _compute(job: Job, results: dict[str, Any], settings: Any = None) -> dict[str, Any] | None:
    """Metrics of a result, or None for kinds without metrics and results they cannot be read from."""
    metrics = metric_set(job.kind)
    if metrics is None:
        return None
    return metrics.evaluate(results, json.loads(job.config_json), metrics.DEFAULTS if settings is None else settings)


def _current_version(kind: str) -> int | None:
    metrics = metric_set(kind)
    return metrics.VERSION if metrics else None


def _store(job_id: str, data: dict[str, Any]) -> None:
    JobMetrics.insert(
        job=job_id, version=data["version"], metrics_json=json.dumps(data)
    ).on_conflict_replace().execute()


def record(job: Job, results: dict[str, Any]) -> None:
    """Store a just-completed job's metrics inside the engine's completion transaction.

    A metric that cannot be computed must never keep a finished solve from being recorded as complete, so any
    failure is logged and leaves the job without metrics (``ensure`` retries when they are asked for).
    """
    try:
        data = _compute(job, results)
    except Exception:
        log.exception("could not compute the metrics of job %s", job.id[:8])
        return
    if data is not None:
        _store(job.id, data)


def ensure(job_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Metrics of the given jobs by id, computing (and storing) current ones where they are missing or old.

    Jobs without results, or whose results have no metrics, are left out.
    """
    ids = list(dict.fromkeys(job_ids))
    stored = {row.job_id: row for row in JobMetrics.select().where(JobMetrics.job.in_(ids))}
    found: dict[str, dict[str, Any]] = {}
    with database.atomic():
        for job in Job.select().where(Job.id.in_(ids) & Job.has_results):
            row = stored.get(job.id)
            if row is not None and row.version == _current_version(job.kind):
                found[job.id] = json.loads(row.metrics_json)
                continue
            result = JobResult.get_or_none(JobResult.job == job.id)
            data = _compute(job, json.loads(result.results_json)) if result else None
            if data is not None:
                _store(job.id, data)
                found[job.id] = data
    return found


def backfill() -> int:
    """Compute metrics for every complete job that lacks current ones; returns how many were computed."""
    missing: list[str] = []
    for kind in plugin_modules():
        version = _current_version(kind)
        if version is None:
            continue
        current = JobMetrics.select(JobMetrics.job).where(JobMetrics.version == version)
        missing += [
            job.id for job in Job.select(Job.id).where((Job.kind == kind) & Job.has_results & Job.id.not_in(current))
        ]
    return len(ensure(missing))


def recompute(job_ids: Iterable[str], settings: Any) -> dict[str, dict[str, Any]]:
    """Metrics under other settings (another band, tolerance…), computed from the stored results, not stored."""
    found: dict[str, dict[str, Any]] = {}
    for job in Job.select().where(Job.id.in_(list(job_ids)) & Job.has_results):
        result = JobResult.get_or_none(JobResult.job == job.id)
        data = _compute(job, json.loads(result.results_json), settings) if result else None
        if data is not None:
            found[job.id] = data
    return found
