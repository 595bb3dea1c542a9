"""Bringing an exported history (``hornq export-history``) into another HORNQ_HOME.

Finished jobs arrive as they ended, with their history, studies, metrics and (when exported) results. A job
keeps its id when the id is free here; when another job already holds it, the import gets a new id (and its
results their new ``job_id``). A job already present (same creation time and config, under whichever id) is
skipped, so importing the same file twice changes nothing. Queued or running jobs are not imported: they would
start running here. Everything is written in one transaction.

These rows are restored, not born: they enter in their final state with their recorded history, which is why
this module writes them directly instead of going through ``lifecycle.enqueue``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.config.job import check_label
from engine.config.sweeps import check_name
from engine.errors import ConfigError
from engine.solvers import metric_set
from engine.store.db import next_value
from engine.store.history_export import FORMAT
from engine.store.lifecycle import TERMINAL
from engine.store.models import Job, JobEvent, JobMetrics, JobResult, Study, database, utcnow

READABLE_VERSIONS = (1, 2)
REQUIRED = ("id", "kind", "status", "created_at", "queued_at", "config", "config_summary", "history")


@dataclass
class ImportReport:
    """What an import did: ``imported`` maps each source id to its id here."""

    imported: dict[str, str] = field(default_factory=dict)
    present: list[str] = field(default_factory=list)
    active: list[str] = field(default_factory=list)

    @property
    def renamed(self) -> int:
        return sum(source != target for source, target in self.imported.items())

    def as_json(self) -> dict[str, Any]:
        return {
            "imported": [{"source_id": s, "id": t} for s, t in self.imported.items()],
            "skipped_present": self.present,
            "skipped_active": self.active,
        }


def read_document(path: Path) -> list[dict[str, Any]]:
    """The job entries of an export file, after checking it is one."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{path}: not a readable JSON file ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ConfigError(f"{path}: not a hornq history export (hornq export-history writes one)")
    if document.get("version") not in READABLE_VERSIONS:
        raise ConfigError(
            f"{path}: history version {document.get('version')!r} is not one this hornq reads "
            f"({', '.join(map(str, READABLE_VERSIONS))})"
        )
    entries = document.get("jobs")
    if not isinstance(entries, list):
        raise ConfigError(f'{path}: "jobs" must be a list')
    for index, entry in enumerate(entries):
        missing = [key for key in REQUIRED if not isinstance(entry, dict) or key not in entry]
        if missing:
            raise ConfigError(f"{path}: job {index + 1} lacks {missing[0]!r}")
    return entries


def import_history(path: Path) -> ImportReport:
    """Import every finished job of an export file, all in one transaction (see the module doc)."""
    entries = read_document(path)
    report = ImportReport()
    study_ids: dict[str, str | None] = {}
    with database.atomic():
        for entry in entries:
            if entry["status"] not in TERMINAL:
                report.active.append(entry["id"])
                continue
            config_json = json.dumps(entry["config"])
            if _already_here(entry, config_json):
                report.present.append(entry["id"])
                continue
            job_id = entry["id"] if Job.get_or_none(Job.id == entry["id"]) is None else str(uuid.uuid4())
            study = entry.get("study")
            if isinstance(study, dict) and study.get("id") not in study_ids:
                study_ids[study["id"]] = _study_here(study)
            _restore(entry, job_id, config_json, study_ids.get(study["id"]) if isinstance(study, dict) else None)
            report.imported[entry["id"]] = job_id
    return report


def _already_here(entry: dict[str, Any], config_json: str) -> bool:
    same_time = Job.select(Job.config_json).where(Job.created_at == entry["created_at"])
    return any(job.config_json == config_json for job in same_time)


def _study_here(study: dict[str, Any]) -> str:
    """The id the study has here: its own when free or already this study, a new one on a clash."""
    name = check_name(study.get("name")) or "imported study"
    parameters = json.dumps(study.get("parameters") or [])
    existing = Study.get_or_none(Study.id == study["id"])
    if existing is not None and (existing.name, existing.parameters_json) == (name, parameters):
        return existing.id
    study_id = study["id"] if existing is None else str(uuid.uuid4())
    Study.create(
        id=study_id, name=name, mode=study.get("mode") or "grid", parameters_json=parameters, created_at=utcnow()
    )
    return study_id


def _restore(entry: dict[str, Any], job_id: str, config_json: str, study_id: str | None) -> None:
    results = entry.get("results")
    values = entry.get("study_values")
    Job.create(
        id=job_id,
        kind=entry["kind"],
        status=entry["status"],
        created_at=entry["created_at"],
        updated_at=entry.get("completed_at") or entry["created_at"],
        queued_at=entry["queued_at"],
        started_at=entry.get("started_at"),
        completed_at=entry.get("completed_at"),
        queue_seq=next_value("queue"),
        change_seq=next_value("change"),
        progress=float(entry.get("progress") or 0.0),
        stage=entry.get("stage"),
        stage_message=entry.get("stage_message"),
        error_message=entry.get("error_message"),
        config_json=config_json,
        config_summary_json=json.dumps(entry["config_summary"]),
        has_results=isinstance(results, dict),
        label=check_label(entry.get("label")),
        executor=entry.get("executor") or "local",
        study_id=study_id,
        study_values_json=json.dumps(values) if isinstance(values, dict) and study_id else None,
    )
    for event in entry["history"]:
        JobEvent.create(
            job=job_id,
            from_status=event.get("from"),
            to_status=event["to"],
            at=event["at"],
            source=event["source"],
            message=event.get("message"),
        )
    if isinstance(results, dict):
        JobResult.create(
            job=job_id, results_json=json.dumps({**results, "job_id": job_id} if "job_id" in results else results)
        )
    metrics = entry.get("metrics")
    current = metric_set(entry["kind"])
    if isinstance(metrics, dict) and current is not None and metrics.get("version") == current.VERSION:
        JobMetrics.create(job=job_id, version=current.VERSION, metrics_json=json.dumps(metrics))
