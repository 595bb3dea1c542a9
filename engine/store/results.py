"""Storing a finished run's results: the same rows whether the run was local or on SLURM.

Called inside the transaction that marks the job complete, so results and status land together.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.run.worker_process import ARTIFACTS_DIR, RESULTS_FILE
from engine.store import metrics as metricstore
from engine.store.models import Job, JobArtifact, JobResult, database


def read_output(directory: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The results.json and artifacts a solver wrote (each written then renamed) into a job directory."""
    results = json.loads((directory / RESULTS_FILE).read_text(encoding="utf-8"))
    artifact_dir = directory / ARTIFACTS_DIR
    artifacts = {} if not artifact_dir.is_dir() else {
        path.name: path.read_text(encoding="utf-8") for path in sorted(artifact_dir.iterdir())
        if path.is_file() and not path.name.endswith(".partial")
    }
    return results, artifacts


def command_results(job: Job, exit_code: int | None, duration_s: float | None) -> dict[str, Any]:
    return {"job_id": job.id, "kind": job.kind, "exit_code": exit_code, "duration_s": duration_s}


def store(job: Job, results: dict[str, Any], artifacts: dict[str, str]) -> dict[str, Any]:
    """Write results, metrics and artifacts; returns the job fields that say what is stored."""
    database.execute_sql(f"INSERT OR REPLACE INTO {JobResult._meta.table_name} (job_id, results_json) "
                         "VALUES (?, ?)", (job.id, json.dumps(results)))
    metricstore.record(job, results)
    for name, content in artifacts.items():
        JobArtifact.insert(job=job.id, name=name, content=content).on_conflict_replace().execute()
    return {"has_results": True, "has_mesh_artifact": any(name.endswith(".msh") for name in artifacts)}
