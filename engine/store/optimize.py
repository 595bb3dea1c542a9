"""Optimisation studies in the queue: the study and its goal, the trials the engine proposes, and what they scored.

The command line writes a study with its goal and base config and queues nothing (``create``). From then on the
engine owns it: it proposes points (``propose``: a trial and its job, one transaction), records how each ended
once it has told its sampler (``record_told``), and ends the study at its number of trials or when asked to stop
(``end``). A trial is ``running`` until told, then ``complete`` (with its objective) or ``failed`` (its job failed,
was cancelled or has no value for the objective): failed trials never count as good ones. Readers (``hornq
studies``, the app) read the trials and the best design from these rows alone, without the sampler.
"""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.config.job import check_label, parse_config
from engine.config.optimize import MODE, Dimension, Goal, Options, Search, search
from engine.config.sweeps import Value, apply, label_for
from engine.errors import ConfigError
from engine.solvers import metric_set
from engine.store import jobs
from engine.store.models import Job, Optimization, Study, Trial, database, utcnow

RUNNING, COMPLETE, FAILED = "running", "complete", "failed"
#: Most range-end combinations checked before a study starts (all of them for up to six parameters).
MAX_CORNERS = 64
ENDED_TRIALS = "ran its trials"
ENDED_STOPPED = "stopped by user"


@dataclass(frozen=True)
class Draft:
    """An optimisation ready to start: its name, search, and the config (without ``[study]``) points are made from."""

    name: str
    search: Search
    raw: dict[str, Any]
    base_dir: Path
    label: str | None


def draft(
    raw: dict[str, Any], base_dir: Path, options: Options, *, label: str | None = None, default_name: str = "study"
) -> Draft:
    """Check an optimisation before it starts: the goal against the kind's metrics, and the config at the ends of
    every range (so a range that leaves what the solver accepts is refused now, naming the point)."""
    kind = raw.get("kind") if isinstance(raw.get("kind"), str) else ""
    base = {key: value for key, value in raw.items() if key != "study"}
    parse_config(base, base_dir)
    found = search(raw, kind, metric_set(kind), options)
    chosen_label = check_label(label if label is not None else raw.get("label"))
    for values in corners(found.dimensions):
        point = label_for(values)
        try:
            parse_config(apply(base, found.dimensions, values), base_dir)
        except ConfigError as exc:
            raise ConfigError(f"study point {point}: {exc}") from None
    return Draft(found.name or chosen_label or default_name, found, base, base_dir, chosen_label)


def corners(dimensions: tuple[Dimension, ...]) -> list[dict[str, Value]]:
    """Every combination of the ranges' ends (and choices), at most MAX_CORNERS of them."""
    names = [d.name for d in dimensions]
    combos = itertools.islice(itertools.product(*(d.corners() for d in dimensions)), MAX_CORNERS)
    return [dict(zip(names, combo, strict=True)) for combo in combos]


def create(plan: Draft) -> Study:
    """Write the study and its goal; the engine proposes its points."""
    base = {"raw": plan.raw, "base_dir": str(plan.base_dir), "label": plan.label}
    with database.atomic():
        study = Study.create(
            id=str(uuid.uuid4()),
            name=plan.name,
            mode=MODE,
            created_at=utcnow(),
            parameters_json=json.dumps([d.as_json() for d in plan.search.dimensions]),
        )
        Optimization.create(
            study=study.id, goal_json=json.dumps(plan.search.goal.as_json()), base_json=json.dumps(base)
        )
    return study


# ---------------------------------------------------------------- the engine's side


def live() -> list[Optimization]:
    """Optimisations the engine must attend to: not ended, or with trials whose end it has not told yet."""
    untold = Trial.select(Trial.study).where(Trial.state == RUNNING)
    return list(Optimization.select().where(Optimization.ended_at.is_null() | Optimization.study.in_(untold)))


def goal(row: Optimization) -> Goal:
    return Goal.from_json(json.loads(row.goal_json))


def kind(row: Optimization) -> str:
    """The job kind of the optimisation's points."""
    return json.loads(row.base_json)["raw"]["kind"]


def dimensions(study_id: str) -> tuple[Dimension, ...]:
    return tuple(Dimension.from_json(item) for item in json.loads(Study.get_by_id(study_id).parameters_json))


def trials(study_id: str) -> list[Trial]:
    return list(Trial.select().where(Trial.study == study_id).order_by(Trial.number))


def propose(row: Optimization, number: int, values: dict[str, Value]) -> Trial:
    """Queue the job of a proposed point with its trial, in one transaction. A point the solver refuses becomes
    a failed trial at once (no job), so it still counts toward the study's trials."""
    base = json.loads(row.base_json)
    point = label_for(values)
    label = f"{base['label']} {point}" if base["label"] else point
    placed = dimensions(row.study_id)
    with database.atomic():
        try:
            spec = parse_config(apply(base["raw"], placed, values), Path(base["base_dir"]), label=label)
        except ConfigError as exc:
            return Trial.create(
                study=row.study_id, number=number, values_json=json.dumps(values), state=FAILED, message=str(exc)
            )
        job = jobs.submit(spec, study_id=row.study_id, study_values=values)
        return Trial.create(
            study=row.study_id, number=number, job=job.id, values_json=json.dumps(values), state=RUNNING
        )


def record_told(
    study_id: str, number: int, objective: float | None, feasible: bool | None, message: str | None
) -> None:
    """A trial as its sampler was told: complete with its objective, or failed (objective None) and why."""
    Trial.update(
        state=FAILED if objective is None else COMPLETE, objective=objective, feasible=feasible, message=message
    ).where((Trial.study == study_id) & (Trial.number == number)).execute()


def end(study_id: str, reason: str) -> bool:
    """No more points for this study; False when it had already ended."""
    changed = (
        Optimization.update(ended_at=utcnow(), end_reason=reason)
        .where((Optimization.study == study_id) & Optimization.ended_at.is_null())
        .execute()
    )
    return bool(changed)


# ---------------------------------------------------------------- reading


def progress(study_id: str) -> dict[str, Any] | None:
    """An optimisation as ``hornq studies --json`` and the app show it; None for a study that does not optimise.

    ``history`` lists every proposed point in order: trial (its place, from 1), number (the sampler's), job_id,
    values, state, objective, feasible, message.
    ``best`` is the complete, feasible trial with the best objective (null until there is one);
    ``best_at_range_end`` names the ranges it sits at an end of ({"R": "high"}), where a wider range may do better.
    """
    row = Optimization.get_or_none(Optimization.study == study_id)
    if row is None:
        return None
    target = goal(row)
    found = [{"trial": place, **trial_json(trial)} for place, trial in enumerate(trials(study_id), start=1)]
    chosen = best(found, target.direction)
    return {
        **target.as_json(),
        "proposed": len(found),
        "told": sum(1 for t in found if t["state"] != RUNNING),
        "failed": sum(1 for t in found if t["state"] == FAILED),
        "ended": row.end_reason,
        "best": chosen,
        "best_at_range_end": at_range_ends(dimensions(study_id), chosen["values"]) if chosen else {},
        "history": found,
    }


def at_range_ends(placed: tuple[Dimension, ...], values: dict[str, Value]) -> dict[str, str]:
    """The ranges whose end (low or high) a design sits at."""
    ends = {d.name: d.end_of(values[d.name]) for d in placed if d.name in values}
    return {name: end for name, end in ends.items() if end}


def describe_ends(ends: dict[str, str]) -> str:
    """``R's high end and k's low end``: the ends of ranges a best design sits at, as the CLI and the app say it."""
    parts = [f"{name}'s {end} end" for name, end in ends.items()]
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)


def best(found: list[dict[str, Any]], direction: str) -> dict[str, Any] | None:
    """The first complete, feasible trial with the best objective."""
    scored = [t for t in found if t["state"] == COMPLETE and t["feasible"] is not False]
    if not scored:
        return None
    sign = 1 if direction == "minimize" else -1
    return min(scored, key=lambda t: (sign * t["objective"], t["number"]))


def trial_json(trial: Trial) -> dict[str, Any]:
    return {
        "number": trial.number,
        "job_id": trial.job_id,
        "values": json.loads(trial.values_json),
        "state": trial.state,
        "objective": trial.objective,
        "feasible": trial.feasible,
        "message": trial.message,
    }


def order_jobs(study_id: str) -> list[Job]:
    """The jobs of an optimisation's trials in trial order (a re-run of one is not a trial)."""
    ids = [trial.job_id for trial in trials(study_id) if trial.job_id]
    found = {job.id: job for job in Job.select().where(Job.id.in_(ids))}
    return [found[job_id] for job_id in ids if job_id in found]
