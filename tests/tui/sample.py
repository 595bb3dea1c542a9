"""A deterministic HORNQ_HOME for TUI tests and snapshots: fixed ids, times and a fixed clock."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from engine.config.job import parse_config
from engine.paths import Home
from engine.store import jobs, lifecycle
from engine.store.db import open_database
from engine.store.lifecycle import Source, Status
from engine.store.models import Job, JobEvent, JobResult

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
DATA = Path(__file__).parent / "data"
HORN_SUMMARY = {"formula_type": "R-OSSE", "frequency_range": [200, 20000], "num_frequencies": 24, "sim_type": "2"}


def fixed_now() -> datetime:
    return NOW


def use_utc() -> None:
    """Local times in cells are shown in UTC so snapshots do not depend on the machine."""
    os.environ["TZ"] = "UTC"
    time.tzset()


def _job(label: str, argv: list[str], number: int) -> str:
    spec = parse_config({"kind": "command", "command": {"argv": argv}}, Path("/"), label=label)
    return jobs.submit(spec, job_id=f"{number:08x}-0000-4000-8000-{number:012x}").id


def _at(job_id: str, **minutes_ago: float) -> None:
    values = {name: (NOW - timedelta(minutes=m)).isoformat() for name, m in minutes_ago.items()}
    Job.update(**values).where(Job.id == job_id).execute()
    for event in JobEvent.select().where(JobEvent.job == job_id):
        stamp = {"queued": "queued_at", "running": "started_at"}.get(event.to_status, "completed_at")
        if stamp in values:
            JobEvent.update(at=values[stamp]).where(JobEvent.id == event.id).execute()


def populate(home: Home) -> dict[str, str]:
    """One job in every state, plus a complete horn job with stored results."""
    open_database(home)
    ids = {}
    ids["horn"] = _job("rosse 40", ["true"], 0xF6)
    ids["complete"] = _job("", ["true"], 0xC3)
    ids["error"] = _job("bad mesh", ["./solve.sh", "case2"], 0xD4)
    ids["cancelled"] = _job("too slow", ["sleep", "9"], 0xE5)
    ids["running"] = _job("baseline", ["./solve.sh", "case1"], 0xB2)
    ids["queued"] = _job("wide mouth", ["sleep", "1"], 0xA1)
    lifecycle.transition(ids["running"], Status.RUNNING, source=Source.ENGINE)
    jobs.update_job(ids["running"], progress=0.3, stage="bem_solve", stage_message="Solving 12/40 at 1.3 kHz")
    for name in ("complete", "horn"):
        lifecycle.transition(ids[name], Status.RUNNING, source=Source.ENGINE)
        lifecycle.transition(ids[name], Status.COMPLETE, source=Source.ENGINE)
    lifecycle.transition(ids["error"], Status.RUNNING, source=Source.ENGINE)
    lifecycle.transition(
        ids["error"],
        Status.ERROR,
        source=Source.ENGINE,
        message="exit code 2: no mesh file",
        error_message="exit code 2: no mesh file",
    )
    lifecycle.transition(ids["cancelled"], Status.CANCELLED, source=Source.USER, message="cancelled before start")
    results = json.loads((DATA / "results.json").read_text())
    results["job_id"] = ids["horn"]
    JobResult.create(job=ids["horn"], results_json=json.dumps(results))
    Job.update(
        kind="horn", config_summary_json=json.dumps(HORN_SUMMARY), has_results=True, has_mesh_artifact=True
    ).where(Job.id == ids["horn"]).execute()
    _at(ids["horn"], created_at=300, queued_at=300, started_at=290, completed_at=250)
    _at(ids["complete"], created_at=240, queued_at=240, started_at=239, completed_at=238)
    _at(ids["error"], created_at=200, queued_at=200, started_at=199, completed_at=190)
    _at(ids["cancelled"], created_at=100, queued_at=100, completed_at=95)
    _at(ids["running"], created_at=30, queued_at=30, started_at=25)
    _at(ids["queued"], created_at=10, queued_at=10)
    home.job_log(ids["running"]).write_text("meshing: 1284 triangles\nHORNQ_PROGRESS 0.3 Solving 12/40 at 1.3 kHz\n")
    return ids
