"""Storing a finished run's results: the same rows whether the run was local or on SLURM.

Called inside the transaction that marks the job complete, so results and status land together.
"""

from __future__ import annotations

import json
from typing import Any

from engine.solvers import entry
from engine.store import metrics as metricstore
from engine.store import sql
from engine.store.models import Job, JobArtifact


def store(job: Job, results: dict[str, Any], artifacts: dict[str, str]) -> dict[str, Any]:
    """Write results, metrics and artifacts; returns the job fields that say what is stored."""
    sql.put_results(job.id, json.dumps(results))
    metricstore.record(job, results)
    for name, content in artifacts.items():
        JobArtifact.insert(job=job.id, name=name, content=content).on_conflict_replace().execute()
    return {"has_results": True, "has_mesh_artifact": entry(job.kind, "MESH_ARTIFACT") in artifacts}
