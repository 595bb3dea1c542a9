"""What a job will cost before it runs: its kind's plugin (``estimate_job``) fitted from this home's finished jobs.

Nothing is stored: the figures are refitted from the newest finished jobs each time, so every job that finishes
sharpens the next estimate. The CLI (``hornq estimate``, ``hornq submit``) and the app's new-job dialog share this.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import Conflict
from engine.store import results
from engine.timing import approximate

if TYPE_CHECKING:
    from engine.store.optimize import Draft as OptimizationDraft

#: Finished jobs the fit reads, newest first: enough to cover every method and backend in use.
HISTORY_JOBS = 100


def estimate_file(path: Path, vary: Sequence[str] = ()) -> dict[str, Any]:
    """The estimate of a config file as ``hornq submit`` (or ``hornq optimize``) would queue it: one job, a study's
    points summed, or an optimisation's trials.

    Needs the home's database open (it reads the finished jobs the figures are fitted from)."""
    from engine.config.job import read_config_file
    from engine.config.optimize import Options, is_optimize
    from engine.store import optimize
    from engine.store.studies import draft

    raw = read_config_file(path)
    if is_optimize(raw):
        return optimization_estimate(
            optimize.draft(raw, path.resolve().parent, Options(vary=vary), default_name=path.stem)
        )
    study = draft(raw, path.resolve().parent, vary=vary, confirmed=True, default_name=path.stem)
    if study is None:
        from engine.config.job import load_config_file

        return estimate_spec(load_config_file(path))
    return study_estimate(study.name, [(values, spec) for values, spec in study.points])


def estimate_spec(spec: Any) -> dict[str, Any]:
    """The kind's estimate of one validated job; Conflict when its kind makes none (a command job)."""
    from engine.solvers import entry

    predict = entry(spec.kind, "estimate_job")
    if predict is None:
        raise Conflict(f"no estimate for {spec.kind} jobs: only solver jobs (such as horn) can be estimated")
    return predict(spec.validated.config, results.finished_runs(spec.kind, HISTORY_JOBS))


def study_estimate(name: str, points: Sequence[tuple[dict[str, Any], Any]]) -> dict[str, Any]:
    """A study's points run one after another: their times add up, a fresh worker's start is paid once, and the
    peak memory is the largest point's."""
    estimates = [estimate_spec(spec) for _, spec in points]
    warm = sum(e["seconds"]["warm"] for e in estimates)
    cold = warm + max(e["seconds"]["cold"] - e["seconds"]["warm"] for e in estimates)
    peak = max(e["peak_memory_bytes"] for e in estimates)
    warnings = list(dict.fromkeys(w for e in estimates for w in e["warnings"]))
    document = {
        "study": {"name": name, "jobs": len(points)},
        "seconds": {"warm": round(warm, 1), "cold": round(cold, 1)},
        "peak_memory_bytes": peak,
        "warnings": warnings,
        "note": next((e["note"] for e in estimates if e.get("note")), None),
        "points": [{"values": values, "estimate": e} for (values, _), e in zip(points, estimates, strict=True)],
    }
    document["line"] = (
        f"study {name!r}, {len(points)} jobs one after another: about {approximate(warm)} "
        f"({approximate(cold)} in a fresh worker), peak memory {_size(peak)}"
    )
    return document


def optimization_estimate(plan: OptimizationDraft) -> dict[str, Any]:
    """An optimisation's trials, one after another. The sampler has not chosen its points yet, so each trial is
    priced at the mean of the ranges' ends (``optimize.corners``), where a design is cheapest and dearest."""
    from engine.config.job import parse_config
    from engine.config.sweeps import apply
    from engine.store.optimize import corners

    dimensions, trials = plan.search.dimensions, plan.search.goal.trials
    ends = corners(dimensions)
    estimates = [estimate_spec(parse_config(apply(plan.raw, dimensions, values), plan.base_dir)) for values in ends]
    each = [e["seconds"]["warm"] for e in estimates]
    warm = trials * sum(each) / len(each)
    cold = warm + max(e["seconds"]["cold"] - e["seconds"]["warm"] for e in estimates)
    peak = max(e["peak_memory_bytes"] for e in estimates)
    document = {
        "study": {"name": plan.name, "mode": "optimize", "trials": trials},
        "seconds": {"warm": round(warm, 1), "cold": round(cold, 1)},
        "trial_seconds": {"low": round(min(each), 1), "high": round(max(each), 1)},
        "peak_memory_bytes": peak,
        "warnings": list(dict.fromkeys(w for e in estimates for w in e["warnings"])),
        "note": next((e["note"] for e in estimates if e.get("note")), None),
        "points": [{"values": values, "estimate": e} for values, e in zip(ends, estimates, strict=True)],
    }
    low, high = approximate(min(each)), approximate(max(each))
    spread = f"{low} to {high} at the ends of the ranges" if low != high else f"{low} at the ends of the ranges"
    document["line"] = (
        f"optimisation {plan.name!r}, {trials} trials one after another: about {approximate(warm)} "
        f"({approximate(cold)} in a fresh worker; a trial takes {spread}), peak memory {_size(peak)}"
    )
    return document


def describe(document: dict[str, Any]) -> str:
    """The text ``hornq estimate`` prints: the one line, its details (a job's bands), then warnings and the note."""
    lines = [document["line"]] + [f"  {detail}" for detail in document.get("details") or []]
    lines += [f"warning: {warning}" for warning in document["warnings"]]
    if document.get("note"):
        lines.append(f"note: {document['note']}")
    return "\n".join(lines)


def summary_lines(document: dict[str, Any]) -> list[str]:
    """What ``hornq submit`` adds after the id (on stderr): the one line and any warnings."""
    source = " (built-in figures: `hornq calibrate` measures this machine)" if document.get("note") else ""
    return [f"estimate: {document['line']}{source}"] + [f"warning: {warning}" for warning in document["warnings"]]


def _size(count: float) -> str:
    return f"{count / 1e6:.0f} MB" if count < 1e9 else f"{count / 1e9:.1f} GB"
