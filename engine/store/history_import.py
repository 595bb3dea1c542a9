"""Bringing an exported history (``hornq export-history``) into another HORNQ_HOME.

Finished jobs arrive as they ended, with their history, studies, metrics and (when exported) results. A job
keeps its id when the id is free here; when another job already holds it, the import gets a new id (and its
results their new ``job_id``). A job already present (same creation time and config, under whichever id) is
skipped, so importing the same file twice changes nothing. Queued or running jobs are not imported: they would
start running here. Everything is written in one transaction.

An optimisation arrives with the study its imported jobs brought, ended (nothing here would propose its next
point): its trials point at the imported jobs, and a trial still running when exported counts as failed. A
measurement keeps its name unless another measurement holds it here, when it is imported as "NAME (imported)";
one already here with the same document is skipped.

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
from engine.config.optimize import Goal
from engine.config.sweeps import check_name
from engine.errors import ConfigError, UsageError
from engine.solvers import metric_set
from engine.store import optimize
from engine.store.db import next_value
from engine.store.history_export import FORMAT
from engine.store.lifecycle import TERMINAL
from engine.store.measurements import NAME_MAX
from engine.store.measurements import check_name as check_measurement_name
from engine.store.models import (
    Job,
    JobEvent,
    JobMetrics,
    JobResult,
    Measurement,
    Optimization,
    Study,
    Trial,
    database,
    utcnow,
)

READABLE_VERSIONS = (1, 2, 3)
REQUIRED = ("id", "kind", "status", "created_at", "queued_at", "config", "config_summary", "history")
REQUIRED_OPTIMIZATION = ("study_id", "goal", "base", "trials")
REQUIRED_MEASUREMENT = ("name", "kind", "document")
#: Why an imported trial that was still running has failed.
UNFINISHED = "not finished when its history was exported"


@dataclass
class ImportReport:
    """What an import did: ``imported`` maps each source id to its id here."""

    imported: dict[str, str] = field(default_factory=dict)
    present: list[str] = field(default_factory=list)
    active: list[str] = field(default_factory=list)
    optimizations: list[str] = field(default_factory=list)  # study ids here
    measurements: dict[str, str] = field(default_factory=dict)  # source name → name here
    measurements_present: list[str] = field(default_factory=list)

    @property
    def renamed(self) -> int:
        return sum(source != target for source, target in self.imported.items())

    def as_json(self) -> dict[str, Any]:
        return {
            "imported": [{"source_id": s, "id": t} for s, t in self.imported.items()],
            "skipped_present": self.present,
            "skipped_active": self.active,
            "optimizations": self.optimizations,
            "measurements": [{"source_name": s, "name": t} for s, t in self.measurements.items()],
            "skipped_measurements_present": self.measurements_present,
        }


def read_document(path: Path) -> dict[str, Any]:
    """An export file's document, after checking it is one and that its entries have what an import needs."""
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
    for section, what, required in (
        ("jobs", "job", REQUIRED),
        ("optimizations", "optimization", REQUIRED_OPTIMIZATION),
        ("measurements", "measurement", REQUIRED_MEASUREMENT),
    ):
        entries = document.setdefault(section, [])
        if not isinstance(entries, list):
            raise ConfigError(f"{path}: {section!r} must be a list")
        for index, entry in enumerate(entries):
            missing = [key for key in required if not isinstance(entry, dict) or key not in entry]
            if missing:
                raise ConfigError(f"{path}: {what} {index + 1} lacks {missing[0]!r}")
    return document


def import_history(path: Path) -> ImportReport:
    """Import every finished job of an export file, all in one transaction (see the module doc)."""
    document = read_document(path)
    report = ImportReport()
    study_ids: dict[str, str] = {}
    with database.atomic():
        for entry in document["jobs"]:
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
        for index, entry in enumerate(document["optimizations"], start=1):
            study_id = study_ids.get(entry["study_id"])
            if study_id is not None and Optimization.get_or_none(Optimization.study == study_id) is None:
                _restore_optimization(entry, study_id, report.imported, f"{path}: optimization {index}")
                report.optimizations.append(study_id)
        for index, entry in enumerate(document["measurements"], start=1):
            name = _restore_measurement(entry, f"{path}: measurement {index}")
            if name is None:
                report.measurements_present.append(entry["name"])
            else:
                report.measurements[entry["name"]] = name
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


def _restore_optimization(entry: dict[str, Any], study_id: str, imported: dict[str, str], where: str) -> None:
    """The optimisation of an imported study, ended, its trials pointing at the jobs imported for them."""
    try:
        Goal.from_json(entry["goal"])
        kind = entry["base"]["raw"]["kind"]
        trials = [(int(t["number"]), t) for t in entry["trials"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: not an optimisation hornq wrote ({exc!r} is wrong or missing)") from None
    if not isinstance(kind, str):
        raise ConfigError(f"{where}: its base config has no kind")
    Optimization.create(
        study=study_id,
        goal_json=json.dumps(entry["goal"]),
        base_json=json.dumps(entry["base"]),
        ended_at=entry.get("ended_at") or utcnow(),
        end_reason=entry.get("end_reason") or UNFINISHED,
    )
    for number, trial in trials:
        unfinished = trial.get("state") not in (optimize.COMPLETE, optimize.FAILED)
        Trial.create(
            study=study_id,
            number=number,
            job=imported.get(trial.get("job_id") or ""),
            values_json=json.dumps(trial.get("values") or {}),
            state=optimize.FAILED if unfinished else trial["state"],
            objective=None if unfinished else trial.get("objective"),
            feasible=None if unfinished else trial.get("feasible"),
            message=UNFINISHED if unfinished else trial.get("message"),
        )


def _restore_measurement(entry: dict[str, Any], where: str) -> str | None:
    """The name the measurement has here, or None when the same one is already here."""
    document = entry["document"]
    if not isinstance(document, dict) or not isinstance(entry["kind"], str):
        raise ConfigError(f"{where}: not a measurement hornq wrote")
    try:
        name = check_measurement_name(str(entry["name"]))
    except UsageError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    document_json = json.dumps(document, allow_nan=False)
    for suffix in ("", " (imported)", *(f" (imported {n})" for n in range(2, 1000))):
        candidate = name[: NAME_MAX - len(suffix)] + suffix
        here = Measurement.get_or_none(Measurement.name == candidate)
        if here is None:
            Measurement.create(
                name=candidate,
                kind=entry["kind"],
                created_at=entry.get("created_at") or utcnow(),
                summary=str(entry.get("summary") or ""),
                document_json=document_json,
            )
            return candidate
        if here.kind == entry["kind"] and json.loads(here.document_json) == document:
            return None
    raise ConfigError(f"{where}: too many measurements named {name!r} here")
