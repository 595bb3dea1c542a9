"""Side-by-side metrics of several jobs or a whole study, and of measurements beside them: the document behind
``hornq compare --json`` and the TUI's comparison view. The metrics are the jobs' solver plugin's
(``engine.solvers.metric_set``).

Shape (README "Compare horns")::

    {"study": {"id", "name", "mode", "parameters": [{"name", "path", "values"}]} | null,
     "settings": {"band_hz": [lo, hi], "ripple_above_hz", "tolerance", "points_hz": [...]},
     "metrics": [{"key", "title", "unit", "better": "lower" | null}],
     "jobs": [{"id", "label", "status", "study_values": {name: value} | null,
               "coverage_deg": {"horizontal", "vertical"} | null, "band_used_hz": [lo, hi] | null,
               "metrics": {key: number | null} | null, "deviation_db": {measurement name: number | null}}],
     "measurements": [{"name", "measurement": true, "kind", "summary", "band_used_hz",
                       "metrics": {key: number | null} | null}],
     "best": {metric key: [job ids holding the best value]}}

Jobs without results of their kind are listed with ``metrics`` null, so a study's table shows every point.
Measurements get the metrics their data allows (those that need a job's config, such as the coverage a horn
should hold, are null) and never count for ``best``. ``deviation_db`` is each job's on-axis deviation from each
measurement over the band, their mean level difference removed (the kind's ``measurement_deviation``); null when
the job has no results or they share no band.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from engine.errors import UsageError
from engine.solvers import Metric, MetricSet, entry, metric_set
from engine.store import measurements as measurementstore
from engine.store import metrics as metricstore
from engine.store import studies
from engine.store.models import Job, JobResult, Study

#: A stored measurement and its document, as ``engine.store.measurements.get`` returns them.
Measured = tuple[measurementstore.Stored, dict[str, Any]]


def study_json(study: Study) -> dict[str, Any]:
    return {"id": study.id, "name": study.name, "mode": study.mode, "parameters": json.loads(study.parameters_json)}


def select_jobs(job_ids: Sequence[str], study: Study | None) -> list[Job]:
    """The given jobs, then each point of the study (its latest attempt), without repeats."""
    chosen = {job.id: job for job in Job.select().where(Job.id.in_(list(job_ids)))}
    ordered = [chosen[job_id] for job_id in dict.fromkeys(job_ids) if job_id in chosen]
    if study is not None:
        ordered += [job for job in studies.latest(study.id) if job.id not in chosen]
    return ordered


def select_measurements(names: Sequence[str]) -> list[Measured]:
    """The named measurements, each once, in the order given; an unknown name is refused (exit 4)."""
    return [measurementstore.get(name) for name in dict.fromkeys(name.strip() for name in names)]


def metric_set_of(jobs: Sequence[Job], measurements: Sequence[Measured] = ()) -> MetricSet:
    """The one metric set the jobs (and measurements) are compared by: that of the kinds among them with metrics."""
    kinds = {job.kind for job in jobs} | {stored.kind for stored, _ in measurements}
    sets = {kind: found for kind in kinds if (found := metric_set(kind)) is not None}
    if len(set(map(id, sets.values()))) != 1:
        raise UsageError(
            f"compare needs jobs of one kind that has metrics (kinds here: {', '.join(sorted(kinds)) or 'none'})"
        )
    return next(iter(sets.values()))


def compare(
    jobs: Sequence[Job],
    metrics: MetricSet,
    *,
    study: Study | None = None,
    settings: Any = None,
    measurements: Sequence[Measured] = (),
) -> dict[str, Any]:
    """The comparison document of ``jobs`` (metrics stored, backfilled, or recomputed for other settings), with
    ``measurements`` beside them."""
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
                "deviation_db": deviations(job, measurements, settings),
            }
        )
    winners = metrics.best([row["metrics"] or {} for row in rows])
    return {
        "study": study_json(study) if study is not None else None,
        "settings": settings.as_json(),
        "metrics": [metric.as_json() for metric in metrics.METRICS],
        "jobs": rows,
        "measurements": [measurement_row(stored, document, metrics, settings) for stored, document in measurements],
        "best": {key: [rows[index]["id"] for index in indexes] for key, indexes in winners.items()},
    }


def measurement_row(
    stored: measurementstore.Stored, document: dict[str, Any], metrics: MetricSet, settings: Any
) -> dict[str, Any]:
    """A measurement as a row of the table: its metrics from its data alone (no job config behind it)."""
    data = metrics.evaluate(document, {}, settings)
    return {
        "name": stored.name,
        "measurement": True,
        "kind": stored.kind,
        "summary": stored.summary,
        "band_used_hz": data["settings"].get("band_used_hz") if data else None,
        "metrics": data["values"] if data else None,
    }


def deviations(job: Job, measurements: Sequence[Measured], settings: Any) -> dict[str, float | None]:
    """The job's deviation from each measurement, by name; null without results or a kind's way to tell."""
    if not measurements:
        return {}
    row = JobResult.get_or_none(JobResult.job == job.id) if job.has_results else None
    results = json.loads(row.results_json) if row else None
    found: dict[str, float | None] = {}
    for stored, document in measurements:
        deviate = entry(stored.kind, "measurement_deviation") if stored.kind == job.kind else None
        found[stored.name] = deviate(results, document, settings) if results is not None and deviate else None
    return found


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
