"""The engine's side of optimisation studies: propose points as slots free up, and tell the sampler how they ended.

Each optimisation's sampler is an Optuna study with the TPE sampler: TPE models continuous, integer and categorical
parameters together and honours constraints, and its "constant liar" lets it propose several points while others
still run (CMA-ES only searches continuous spaces). The sampler's state is a journal file in HORNQ_HOME
(``optimize/STUDY_ID.journal``): no database server, and an optimisation survives engine restarts. Optuna is
imported only once an optimisation needs attending to, so the engine's start and the command line never pay for it.

One pass (``tick``), for each optimisation not finished:

1. tell the sampler how each trial whose job has ended did: a complete job scores the objective computed from its
   stored metrics (with how far it misses each constraint); a job that failed, was cancelled or deleted, or has no
   value for the objective is a failed trial. Partial results never score: only complete jobs have metrics;
2. end the study once its trials have all been proposed and told;
3. unless it has ended or was stopped, ask for points while fewer than ``max_concurrent_jobs`` of its trials are in
   flight; each point is an ordinary queued job, run locally or on SLURM like any other.

A restarted engine does the same pass: jobs that ended while it was down are told, jobs it was running were marked
interrupted by recovery and are failed trials, and a point asked for but never queued (the engine died between the
two) is failed in the sampler without counting as a trial.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from engine.config.objective import Constraint, Formula, parse_constraint, parse_objective
from engine.config.optimize import Dimension, Goal
from engine.config.sweeps import Value
from engine.errors import storage_failure
from engine.paths import Home, ensure_private_dir, open_private
from engine.solvers import metric_set
from engine.store import metrics as metricstore
from engine.store import optimize
from engine.store.lifecycle import ACTIVE, Status
from engine.store.models import Job, Optimization

log = logging.getLogger("hornq.optimize")
#: How often the engine looks at optimisations when nothing woke it (SLURM jobs end without waking it).
CHECK_S = 1.0
#: Random points before TPE models the results (at most a quarter of a small study's trials).
STARTUP_TRIALS = 10
#: How far a design misses a constraint whose metric it has no value for: worse than any real miss.
UNKNOWN_MISS = 1e12
WHY_FAILED = {
    Status.ERROR.value: "its job failed",
    Status.CANCELLED.value: "its job was cancelled",
    None: "its job was deleted before it was told",
}


def journal_path(home: Home, study_id: str) -> Path:
    return home.root / "optimize" / f"{study_id}.journal"


class Optimizer:
    """Every optimisation of one engine; the engine calls ``tick`` on each turn of its loop."""

    def __init__(self, home: Home) -> None:
        self.home = home
        self.sessions: dict[str, Session] = {}
        self.broken: set[str] = set()
        self.due = True
        self.next_check = 0.0

    def wake(self) -> None:
        """Something changed (a job ended, another process wrote): look at the optimisations on the next turn."""
        self.due = True

    def has_work(self) -> bool:
        return any(row.study_id not in self.broken for row in optimize.live())

    def tick(self, cap: int, now: float) -> int:
        """One pass over the optimisations (when woken, else every CHECK_S); returns how many points it queued."""
        if not self.due and now < self.next_check:
            return 0
        self.due, self.next_check = False, now + CHECK_S
        rows = [row for row in optimize.live() if row.study_id not in self.broken]
        queued = 0
        for row in rows:
            try:
                queued += self._attend(row, cap)
            except Exception as exc:
                if storage_failure(exc):
                    raise
                log.exception("optimisation %s cannot go on; leaving it", row.study_id[:8])
                self.broken.add(row.study_id)
                self.sessions.pop(row.study_id, None)
        for gone in set(self.sessions) - {row.study_id for row in rows}:
            del self.sessions[gone]
        return queued

    def _attend(self, row: Optimization, cap: int) -> int:
        session = self.sessions.get(row.study_id)
        if session is None:
            session = self.sessions[row.study_id] = Session(self.home, row)
        trials = optimize.trials(row.study_id)
        waiting = [trial for trial in trials if trial.state == optimize.RUNNING]
        statuses = {
            job.id: job.status
            for job in Job.select(Job.id, Job.status).where(
                Job.id.in_([trial.job_id for trial in waiting if trial.job_id])
            )
        }
        in_flight = 0
        for trial in waiting:
            status = statuses.get(trial.job_id or "")
            if status in ACTIVE:
                in_flight += 1
            else:
                session.tell(trial.number, trial.job_id, status)
        if row.ended_at is not None:
            return 0
        if len(trials) >= session.goal.trials:
            if not in_flight and optimize.end(row.study_id, optimize.ENDED_TRIALS):
                log.info("optimisation %s ran its %d trials", row.study_id[:8], session.goal.trials)
            return 0
        queued = 0
        for _ in range(min(session.goal.trials - len(trials), cap - in_flight)):
            number, values = session.ask()
            if optimize.propose(row, number, values).job_id is None:
                session.refused(number)
            else:
                queued += 1
        return queued


def resumed_seed(seed: int | None, asked: int) -> int | None:
    """The seed of a sampler rebuilt after ``asked`` trials: the study's own at the start, so a seeded study can
    repeat, and another for each resumption, so that a new engine's sampler does not draw the first points again."""
    if seed is None or asked == 0:
        return seed
    return int.from_bytes(hashlib.blake2b(f"{seed}:{asked}".encode(), digest_size=4).digest(), "big")


class Session:
    """One optimisation's sampler, loaded from (or started in) its journal file."""

    def __init__(self, home: Home, row: Optimization) -> None:
        import optuna
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.optuna = optuna
        self.study_id = row.study_id
        self.goal: Goal = optimize.goal(row)
        self.dimensions = optimize.dimensions(row.study_id)
        kind = optimize.kind(row)
        metrics = metric_set(kind)
        if metrics is None:
            raise RuntimeError(f"{kind} jobs have no metrics any more")
        known = {metric.key: metric.better for metric in metrics.METRICS}
        self.objective: Formula = parse_objective(self.goal.objective, known)
        self.constraints: list[Constraint] = [parse_constraint(text, known) for text in self.goal.constraints]
        path = journal_path(home, row.study_id)
        ensure_private_dir(path.parent)
        open_private(path, "a").close()
        self.study = optuna.create_study(
            storage=JournalStorage(JournalFileBackend(str(path))),
            study_name=row.study_id,
            direction=self.goal.direction,
            load_if_exists=True,
        )
        self.study.sampler = optuna.samplers.TPESampler(
            seed=resumed_seed(self.goal.seed, len(self.study.get_trials(deepcopy=False))),
            multivariate=True,
            n_startup_trials=min(STARTUP_TRIALS, max(1, self.goal.trials // 4)),
        )
        self.distributions = {d.name: self._distribution(d) for d in self.dimensions}
        self._reconcile()

    def _distribution(self, dimension: Dimension) -> Any:
        distributions = self.optuna.distributions
        if dimension.choices:
            return distributions.CategoricalDistribution(dimension.choices)
        if dimension.whole:
            return distributions.IntDistribution(int(dimension.low), int(dimension.top), step=int(dimension.step or 1))
        return distributions.FloatDistribution(dimension.low, dimension.top, step=dimension.step)

    def _reconcile(self) -> None:
        """Fail the points asked for but never queued, or refused before the sampler was told; refuse a journal
        that lost trials the database has."""
        states = {trial.number: trial.state for trial in optimize.trials(self.study_id)}
        known = self.study.get_trials(deepcopy=False)
        if states and max(states) >= len(known):
            raise RuntimeError(
                f"its sampler's journal lacks trials the database has ({len(known)} < {max(states) + 1})"
            )
        running = self.optuna.trial.TrialState.RUNNING
        for frozen in known:
            if frozen.state == running and states.get(frozen.number, optimize.FAILED) == optimize.FAILED:
                log.info("optimisation %s: trial %d never got a job; failing it", self.study_id[:8], frozen.number)
                self.refused(frozen.number)

    def ask(self) -> tuple[int, dict[str, Value]]:
        """The sampler's next point, as the job gets it (continuous values rounded, see ``Dimension.rounded``)."""
        trial = self.study.ask(self.distributions)
        return trial.number, {d.name: d.rounded(trial.params[d.name]) for d in self.dimensions}

    def tell(self, number: int, job_id: str | None, status: str | None) -> None:
        """Tell the sampler how a trial's job ended, then record it; safe to repeat after a crash in between."""
        if status != Status.COMPLETE:
            self._fail(number, WHY_FAILED.get(status, f"its job ended {status}"))
            return
        found = metricstore.ensure([job_id]).get(job_id or "")
        values = found["values"] if found else {}
        objective = self.objective.value(values)
        if objective is None:
            missing = self.objective.missing(values)
            self._fail(number, f"no value for {', '.join(missing) or 'the objective'}")
            return
        misses = [self._miss(constraint, values) for constraint in self.constraints]
        frozen = self.study.get_trials(deepcopy=False)[number]
        if frozen.state == self.optuna.trial.TrialState.RUNNING:
            trial = self.optuna.trial.Trial(self.study, frozen._trial_id)  # Optuna has no public id lookup
            for index, miss in enumerate(misses):
                trial.set_constraint(str(index), miss)
            self.study.tell(number, objective)
        feasible = all(miss <= 0 for miss in misses) if misses else None
        broken = [
            c.text if miss < UNKNOWN_MISS else f"{c.text} (no value)"
            for c, miss in zip(self.constraints, misses, strict=True)
            if miss > 0
        ]
        optimize.record_told(
            self.study_id, number, objective, feasible, f"misses {'; '.join(broken)}" if broken else None
        )

    def refused(self, number: int) -> None:
        """A point that never got a job: failed in the sampler (the store recorded why)."""
        self.study.tell(number, state=self.optuna.trial.TrialState.FAIL, skip_if_finished=True)

    def _miss(self, constraint: Constraint, values: dict[str, Any]) -> float:
        miss = constraint.violation(values)
        return UNKNOWN_MISS if miss is None else miss

    def _fail(self, number: int, why: str) -> None:
        self.study.tell(number, state=self.optuna.trial.TrialState.FAIL, skip_if_finished=True)
        optimize.record_told(self.study_id, number, None, None, why)
