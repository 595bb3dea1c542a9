"""Exporting the job history as one JSON document (configs, summaries, transitions, studies, metrics,
optimisations' trials, measurements).

``engine.store.history_import`` reads it back into another HORNQ_HOME. Version 2 added ``study``, ``study_values``
and ``metrics`` to each job; version 3 added ``optimizations`` (goal, base config and trials of each optimize study)
and ``measurements``. Older files still import.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine import __version__
from engine.errors import UsageError
from engine.paths import open_private
from engine.store import metrics as metricstore
from engine.store import optimize
from engine.store.compare import study_json
from engine.store.jobs import job_json, transitions
from engine.store.models import Job, JobResult, Measurement, Optimization, Study, utcnow

FORMAT = "hornq-history"
VERSION = 3


def export_history(path: Path, *, include_results: bool = False) -> dict[str, int]:
    """Write the document; returns how many jobs, optimisations and measurements it holds."""
    entries: list[dict[str, Any]] = []
    every = list(Job.select().order_by(Job.queue_seq))
    found = metricstore.ensure(job.id for job in every)
    study_rows = {study.id: study_json(study) for study in Study.select()}
    for job in every:
        entry = job_json(job)
        entry.update(
            kind=job.kind,
            executor=job.executor,
            config=json.loads(job.config_json),
            history=transitions(job.id),
            study=study_rows.get(job.study_id or ""),
            study_values=json.loads(job.study_values_json) if job.study_values_json else None,
            metrics=found.get(job.id),
        )
        if include_results and job.has_results:
            row = JobResult.get_or_none(JobResult.job == job.id)
            entry["results"] = json.loads(row.results_json) if row else None
        entries.append(entry)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "hornq": __version__,
        "exported_at": utcnow(),
        "jobs": entries,
        "optimizations": [optimization_json(row) for row in Optimization.select()],
        "measurements": [measurement_json(row) for row in Measurement.select().order_by(Measurement.name)],
    }
    try:
        with open_private(path, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=1)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    return {section: len(document[section]) for section in ("jobs", "optimizations", "measurements")}


def optimization_json(row: Optimization) -> dict[str, Any]:
    """An optimize study's goal, base config and trials, as they stand (a running one's open trials included)."""
    return {
        "study_id": row.study_id,
        "goal": json.loads(row.goal_json),
        "base": json.loads(row.base_json),
        "ended_at": row.ended_at,
        "end_reason": row.end_reason,
        "trials": [optimize.trial_json(trial) for trial in optimize.trials(row.study_id)],
    }


def measurement_json(row: Measurement) -> dict[str, Any]:
    return {
        "name": row.name,
        "kind": row.kind,
        "created_at": row.created_at,
        "summary": row.summary,
        "document": json.loads(row.document_json),
    }
