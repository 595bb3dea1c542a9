"""A deterministic study for TUI tests and snapshots: a coverage sweep a = 40…60° in five points.

Three points are complete with synthetic results whose beamwidth settles on 2a above a few kHz (so every metric
has a known place), one is running and one queued; two unrelated jobs sit beside the study.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from engine.config.job import parse_config
from engine.config.sweeps import Plan
from engine.paths import Home
from engine.store import jobs, lifecycle
from engine.store import metrics as metricstore
from engine.store.db import open_database
from engine.store.lifecycle import Source, Status
from engine.store.models import JobResult, Study
from engine.store.studies import draft
from tests.tui.sample import DATA, _at, _job

STUDY_ID = "5e1d0000-0000-4000-8000-000000000001"
HORN = {
    "kind": "horn",
    "label": "rosse",
    "horn": {
        "formula": "R-OSSE",
        "R": 60,
        "a": 40,
        "r0": 12.7,
        "a0": 9,
        "r": 0.25,
        "m": 0.8,
        "b": 0.25,
        "q": 3,
        "wall_thickness": 2,
    },
    "sweep": {"f_min": 1000, "f_max": 4000, "n": 3},
}
ANGLES = [40, 45, 50, 55, 60]
COMPLETE = (40, 45, 50)


def synthetic_results(job_id: str, a: float) -> dict[str, Any]:
    """The fixture result set reshaped so the horn holds 2a from about 2 kHz up, wider horns holding earlier."""
    results = json.loads((DATA / "results.json").read_text())
    freqs = results["frequencies_hz"]
    knee = 3000.0 * 40 / a
    width = [2 * a + (180 - 2 * a) * math.exp(-f / knee * 2.5) for f in freqs]
    results["job_id"] = job_id
    results["beamwidth_6db_deg"] = {"horizontal": width, "vertical": [w * 0.9 for w in width]}
    results["directivity_index_db"] = [3 + 6 * (1 - math.exp(-f / 3000)) + (50 - a) * 0.1 for f in freqs]
    results["on_axis_spl_db"] = [94 + (a - 40) * 0.05 * math.sin(math.log(f)) for f in freqs]
    results["throat_impedance"]["real"] = [min(1.0, f / 2000) + 0.002 * a for f in freqs]
    return results


def study_plan() -> Plan:
    found = draft(HORN, Path("/"), vary=["a=40:60:5"], name="coverage")
    assert found is not None
    return found.plan


def populate_study(home: Home) -> dict[str, Any]:
    """The study and two plain jobs, with fixed ids and times (ids by role, and points by angle)."""
    open_database(home)
    plan = study_plan()
    Study.create(
        id=STUDY_ID,
        name="coverage",
        mode=plan.mode,
        created_at="2026-03-01T09:00:00+00:00",
        parameters_json=json.dumps([p.as_json() for p in plan.parameters]),
    )
    ids: dict[str, Any] = {"plain": _job("baseline", ["true"], 0x11)}
    points = {}
    for number, a in enumerate(ANGLES, start=0x21):
        spec = parse_config({**HORN, "horn": {**HORN["horn"], "a": a}}, Path("/"), label=f"rosse a={a}")
        job_id = f"{number:08x}-0000-4000-8000-{number:012x}"
        points[a] = jobs.submit(spec, job_id=job_id, study_id=STUDY_ID, study_values={"a": a}).id
    ids["queued"] = _job("later", ["sleep", "1"], 0x31)
    for a in (*COMPLETE, 55):
        lifecycle.transition(points[a], Status.RUNNING, source=Source.ENGINE)
    for a in COMPLETE:
        JobResult.create(job=points[a], results_json=json.dumps(synthetic_results(points[a], a)))
        lifecycle.transition(points[a], Status.COMPLETE, source=Source.ENGINE, has_results=True, has_mesh_artifact=True)
    jobs.update_job(points[55], progress=0.5, stage="bem_solve", stage_message="Solving 2/3 at 2 kHz")
    lifecycle.transition(ids["plain"], Status.RUNNING, source=Source.ENGINE)
    lifecycle.transition(ids["plain"], Status.COMPLETE, source=Source.ENGINE)
    metricstore.ensure(points.values())
    _at(ids["plain"], created_at=200, queued_at=200, started_at=199, completed_at=198)
    for minutes, a in zip((120, 119, 118, 117, 116), ANGLES, strict=True):
        done = {"started_at": minutes - 10, "completed_at": minutes - 40} if a in COMPLETE else {}
        running = {"started_at": 20} if a == 55 else {}
        _at(points[a], created_at=minutes, queued_at=minutes, **done, **running)
    _at(ids["queued"], created_at=5, queued_at=5)
    ids["points"] = points
    return ids
