"""Exporting the job history as one JSON document (configs, summaries, transitions, studies, metrics).

``engine.store.history_import`` reads it back into another HORNQ_HOME. Version 2 added ``study``, ``study_values``
and ``metrics`` to each job; version 1 files still import.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine import __version__
from engine.errors import UsageError
from engine.paths import open_private
from engine.store import metrics as metricstore
from engine.store.compare import study_json
from engine.store.jobs import job_json, transitions
from engine.store.models import Job, JobResult, Study, utcnow

FORMAT = "hornq-history"
VERSION = 2


def export_history(path: Path, *, include_results: bool = False) -> int:
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
    document = {"format": FORMAT, "version": VERSION, "hornq": __version__, "exported_at": utcnow(), "jobs": entries}
    try:
        with open_private(path, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=1)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    return len(entries)
