"""Side-by-side metrics of several jobs or a whole study: the document behind ``hornq compare --json``
and the TUI's comparison view. The metrics are the jobs' solver plugin's (``engine.solvers.metric_set``).

Shape (README "Compare horns")::

    {"study": {"id", "name", "mode", "parameters": [{"name", "path", "values"}]} | null,
     "settings": {"band_hz": [lo, hi], "ripple_above_hz", "tolerance", "points_hz": [...]},
     "metrics": [{"key", "title", "unit", "better": "lower" | null}],
     "jobs": [{"id", "label", "status", "study_values": {name: value} | null,
               "coverage_deg": {"horizontal", "vertical"} | null, "band_used_hz": [lo, hi] | null,
               "metrics": {key: number | null} | null}],
     "best": {metric key: [job ids holding the best value]}}

Jobs without results of their kind are listed with ``metrics`` null, so a study's table shows every point.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from engine.errors import UsageError
from engine.solvers import Metric, MetricSet, metric_set
from engine.store import metrics as metricstore
from engine.store import studies
from engine.store.models import Job, Study


def study_json(study: Study) -> dict[str, Any]:
    return {"id": study.id, "name": study.name, "mode": study.mode, "parameters": json.loads(study.parameters_json)}


def select_jobs(job_ids: Sequence[str], study: Study | None) -> list[Job]:
    """The given jobs, then each point of the study (its latest attempt), without repeats."""
    chosen = {job.id: job for job in Job.select().where(Job.id.in_(list(job_ids)))}
    ordered = [chosen[job_id] for job_id in dict.fromkeys(job_ids) if job_id in chosen]
    if study is not None:
        ordered += [job for job in studies.latest(study.id) if job.id not in chosen]
    return ordered


def metric_set_of(jobs: Sequence[Job]) -> MetricSet:
    """The one metric set the jobs are compared by: that of the kinds among them that have metrics."""
    sets = {job.kind: found for job in jobs if (found := metric_set(job.kind)) is not None}
    if len(set(map(id, sets.values()))) != 1:
        kinds = ", ".join(sorted({job.kind for job in jobs})) or "none"
        raise UsageError(f"compare needs jobs of one kind that has metrics (kinds here: {kinds})")
    return next(iter(sets.values()))


def compare(
    jobs: Sequence[Job], metrics: MetricSet, *, study: Study | None = None, settings: Any = None
) -> dict[str, Any]:
    """The comparison document of ``jobs`` (metrics stored, backfilled, or recomputed for other settings)."""
    settings = metrics.DEFAULTS if settings is None else settings
    ids = [job.id for job in jobs]
    found = metricstore.ensure(ids) if settings == metrics.DEFAULTS else metricstore.recompute(ids, settings)
    rows = []
    for job in jobs:
        data = found.get(job.id)
        rows.append(
            {
                "id": job.id,
                "label": job.label,
                "status": job.status,
                "study_values": json.loads(job.study_values_json) if job.study_values_json else None,
                "coverage_deg": data["settings"]["coverage_deg"] if data else None,
                "band_used_hz": data["settings"].get("band_used_hz") if data else None,
                "metrics": data["values"] if data else None,
            }
        )
    winners = metrics.best([row["metrics"] or {} for row in rows])
    return {
        "study": study_json(study) if study is not None else None,
        "settings": settings.as_json(),
        "metrics": [metric.as_json() for metric in metrics.METRICS],
        "jobs": rows,
        "best": {key: [rows[index]["id"] for index in indexes] for key, indexes in winners.items()},
    }


def format_value(metric: Metric, value: float | None) -> str:
    """A metric as a table shows it: dB to 0.1, degrees to 1, frequencies as 1.25k, anything else to 0.01."""
    if value is None:
        return "–"
    unit = metric.unit
    if unit == "Hz":
        return f"{value / 1000:.3g}k" if value >= 1000 else f"{value:.0f}"
    if unit == "°":
        return f"{value:.0f}"
    if unit == "dB":
        return f"{value:.1f}"
    return f"{value:.2f}"


def sort_rows(rows: list[dict[str, Any]], key: str, descending: bool = False) -> list[dict[str, Any]]:
    """Rows ordered by one metric; rows without it go last either way."""
    present = [row for row in rows if (row["metrics"] or {}).get(key) is not None]
    absent = [row for row in rows if row not in present]
    return sorted(present, key=lambda row: row["metrics"][key], reverse=descending) + absent
