"""Design studies in the queue: validate a whole sweep, queue it in one transaction, and act on it as one.

A study is a row (id, name, what it varies) and the jobs that point at it with their varied values. Every
expanded config is validated before anything is written, and the study row and all its jobs are written in one
transaction, so a refused point leaves nothing behind. A re-run job joins its study at the same point, and the
study's progress counts each point's latest attempt, so re-running the failed points completes the study.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from engine.config.job import LABEL_MAX, JobSpec, check_label, parse_config, read_config_file
from engine.config.optimize import Options, is_optimize
from engine.config.sweeps import Plan, Value, apply, combine, label_for, parse_vary_option, study_section
from engine.errors import AmbiguousId, ConfigError, Conflict, NotFound
from engine.store import jobs, optimize
from engine.store.lifecycle import ACTIVE, TERMINAL, Status
from engine.store.models import Job, Optimization, Study, database, utcnow

RERUNNABLE = frozenset({Status.ERROR, Status.CANCELLED})


@dataclass(frozen=True)
class Draft:
    """A study ready to queue: its name and plan, and one validated job per combination."""

    name: str
    plan: Plan
    points: list[tuple[dict[str, Value], JobSpec]]


def draft(
    raw: dict[str, Any],
    base_dir: Path,
    *,
    vary: Sequence[str] = (),
    name: str | None = None,
    label: str | None = None,
    confirmed: bool = False,
    default_name: str = "study",
) -> Draft | None:
    """Expand and validate a config's study (``[study]`` and/or ``--vary``); None when it defines none."""
    kind = raw.get("kind") if isinstance(raw.get("kind"), str) else ""
    plan = combine(study_section(raw, kind), [parse_vary_option(text, kind) for text in vary], name)
    if plan is None:
        return None
    plan.check_size(confirmed)
    base = check_label(label if label is not None else raw.get("label"))
    points = []
    for values in plan.combinations():
        point = label_for(values)
        try:
            spec = parse_config(apply(raw, plan.parameters, values), base_dir, label=_label(base, point))
        except ConfigError as exc:
            raise ConfigError(f"study point {point}: {exc}") from None
        points.append((values, spec))
    return Draft(plan.name or base or default_name, plan, points)


def draft_file(path: Path, **options: Any) -> Draft | None:
    """``draft`` for a config file; the study is named after the file unless the config or options name it."""
    return draft(read_config_file(path), path.resolve().parent, default_name=path.stem, **options)


def _label(base: str | None, point: str) -> str:
    """``rosse a=40 R=100``: the varied values always fit; a long base label is cut to make room."""
    if not base:
        return point[:LABEL_MAX]
    room = LABEL_MAX - len(point) - 1
    if room <= 0:
        return point[:LABEL_MAX]
    return f"{base if len(base) <= room else base[: room - 1] + '…'} {point}"


def queue(plan: Draft) -> tuple[Study, list[Job]]:
    """Write the study and every job in one transaction: all of it is queued, or nothing."""
    with database.atomic():
        study = Study.create(
            id=str(uuid.uuid4()),
            name=plan.name,
            mode=plan.plan.mode,
            created_at=utcnow(),
            parameters_json=json.dumps([p.as_json() for p in plan.plan.parameters]),
        )
        queued = [jobs.submit(spec, study_id=study.id, study_values=values) for values, spec in plan.points]
    return study, queued


# ---------------------------------------------------------------- reading studies


@dataclass(frozen=True)
class StudySummary:
    """A study with the status of each point's latest attempt."""

    id: str
    name: str
    mode: str
    parameters: list[dict[str, Any]]
    created_at: str
    points: int
    counts: dict[str, int]
    optimization: dict[str, Any] | None = None

    @property
    def done(self) -> int:
        return sum(self.counts.get(status, 0) for status in TERMINAL)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "mode": self.mode,
            "parameters": self.parameters,
            "created_at": self.created_at,
            "points": self.points,
            "done": self.done,
            "counts": self.counts,
            "optimization": self.optimization,
        }


def members(study_id: str) -> list[Job]:
    """Every job of the study, re-runs included, in queue order."""
    return list(Job.select().where(Job.study_id == study_id).order_by(Job.queue_seq))


def latest(study_id: str) -> list[Job]:
    """Each point's latest attempt, in the order the points were first queued; an optimisation's points are its
    trials (two trials may try the same values)."""
    if Optimization.get_or_none(Optimization.study == study_id) is not None:
        return optimize.order_jobs(study_id)
    by_point: dict[str, Job] = {}
    for job in members(study_id):
        by_point[job.study_values_json or job.id] = job
    return list(by_point.values())


def summarize(study: Study, *, history: bool = False) -> StudySummary:
    """A study's progress; an optimisation's adds its goal and best trial (and every trial with ``history``)."""
    counts = {status.value: 0 for status in Status}
    points = latest(study.id)
    for job in points:
        counts[job.status] += 1
    found = optimize.progress(study.id)
    if found is not None and not history:
        del found["history"]
    return StudySummary(
        study.id,
        study.name,
        study.mode,
        json.loads(study.parameters_json),
        study.created_at,
        len(points),
        counts,
        found,
    )


def list_studies() -> list[StudySummary]:
    """Studies that still have jobs, and optimisations still running, newest first (pruning or deleting every job
    retires a study)."""
    with_jobs = Job.select(Job.study_id).where(Job.study_id.is_null(False)).distinct()
    searching = Optimization.select(Optimization.study).where(Optimization.ended_at.is_null())
    rows = Study.select().where(Study.id.in_(with_jobs) | Study.id.in_(searching)).order_by(Study.created_at.desc())
    return [summarize(study) for study in rows]


def resolve(text: str) -> Study:
    """A study by exact name, or by id or unique id prefix."""
    named = list(Study.select().where(Study.name == text).order_by(Study.created_at.desc()))
    if len(named) > 1:
        shown = ", ".join(study.id[:8] for study in named[:10])
        raise AmbiguousId(f"several studies are named {text!r} ({shown}); give an id")
    if named:
        return named[0]
    prefix = text.strip().lower()
    matches = list(Study.select().where((Study.id >= prefix) & (Study.id < prefix + "\uffff")).limit(11))
    if not prefix or not matches:
        raise NotFound(f"no study {text!r} (hornq studies lists them)")
    if len(matches) > 1:
        raise AmbiguousId(f"{text} matches several studies: {', '.join(s.id[:8] for s in matches[:10])}")
    return matches[0]


def names(study_ids: set[str]) -> dict[str, Study]:
    """Study rows by id, for grouping jobs under their study's name."""
    return {study.id: study for study in Study.select().where(Study.id.in_(sorted(study_ids)))}


class Title(NamedTuple):
    """What a study's header shows besides its jobs: its name, and the trials a running optimisation will try
    (None for a grid, whose jobs are all its points, and for an optimisation that has ended)."""

    name: str
    trials: int | None


def titles(study_ids: set[str]) -> dict[str, Title]:
    running = {
        row.study_id: optimize.goal(row).trials
        for row in Optimization.select().where(
            Optimization.study.in_(sorted(study_ids)) & Optimization.ended_at.is_null()
        )
    }
    return {study_id: Title(study.name, running.get(study_id)) for study_id, study in names(study_ids).items()}


# ---------------------------------------------------------------- acting on a whole study


def stop(study_id: str) -> list[jobs.StopOutcome]:
    """Cancel the queued jobs and ask the engine to stop the running ones, in one transaction; an optimisation
    also ends (the engine proposes no more points, and counts the stopped ones as failed trials)."""
    with database.atomic():
        optimize.end(study_id, optimize.ENDED_STOPPED)
        active = [job.id for job in members(study_id) if job.status in ACTIVE]
        return [jobs.request_stop(job_id) for job_id in active]


def rerun(study_id: str, *, every: bool = False) -> list[Job]:
    """Queue the points whose latest attempt failed or was cancelled again (``every``: all finished points)."""
    if Optimization.get_or_none(Optimization.study == study_id) is not None:
        raise Conflict("an optimisation proposes its own points, so it re-runs none (hornq optimize starts another)")
    wanted = TERMINAL if every else RERUNNABLE
    with database.atomic():
        return [jobs.rerun(job.id) for job in latest(study_id) if job.status in wanted]


class Started(NamedTuple):
    """What a config file started: queued jobs (one, or a grid study's), or an optimisation, whose points the
    engine queues."""

    jobs: list[Job]
    optimization: Study | None


def start_file(path: Path) -> Started:
    """Start a config file as the app's new-job dialog does: its optimisation, its study's jobs, or its one job."""
    raw = read_config_file(path)
    base_dir = path.resolve().parent
    if is_optimize(raw):
        return Started([], optimize.create(optimize.draft(raw, base_dir, Options(), default_name=path.stem)))
    plan = draft(raw, base_dir, default_name=path.stem)
    if plan is not None:
        return Started(queue(plan)[1], None)
    return Started([jobs.submit(parse_config(raw, base_dir))], None)
