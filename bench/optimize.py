"""Optimisation studies against grid studies of the same budget, on a round R-OSSE horn, with an engine kill.

The question a designer asks: which coverage angle ``a`` (30–60°) and mouth radius ``R`` (100–160 mm) give the
most constant beamwidth over 1–10 kHz, i.e. the lowest ``bw_h_spread`` (max − min of the horizontal −6 dB
beamwidth over the metric band, 1–10 kHz by default)? The horn is ``examples/rosse-40deg.toml`` with a 3 mm wall
(so that every corner of the ranges is a horn the solver accepts), 30 frequencies from 1 to 10 kHz and polars
every degree, solved axisymmetrically; every study runs two points at a time through a real engine in one fresh
HORNQ_HOME.

- hornq's optimisation: 40 trials (TPE), three times with different seeds; the first run's engine is killed
  (``kill -9``) part way and a new engine finishes the study;
- the peers: the 5 × 8 and the 8 × 5 grid over the same ranges (40 points each, ends included).

It prints every best with its objective, when each optimisation first beat each grid's best, and how the killed
study came through (trials, jobs, failed trials).

    .venv/bin/python -m bench.optimize      # about 4 minutes on 2 cores
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import time
import tomllib
from pathlib import Path
from typing import Any

from bench.common import PYTHON, ROOT, Figure, machine, show, temp_home
from engine.config.optimize import Options
from engine.config.sweeps import label_for
from engine.store import lease, optimize, settings, studies
from engine.store import metrics as metricstore
from engine.store.models import Job

HORN = ROOT / "examples" / "rosse-40deg.toml"
SWEEP = {"f_min": 1000, "f_max": 10000, "n": 30, "spacing": "log"}
TRIALS = 40
GRIDS = ((5, 8), (8, 5))  # values of a × values of R: TRIALS points each
A, R = (30.0, 60.0), (100.0, 160.0)
OBJECTIVE = "bw_h_spread"
CONCURRENT = 2
SEEDS = (1, 2, 3)  # the first run's engine is killed
KILL_AFTER = 15  # trials told before the engine is killed


def horn() -> dict[str, Any]:
    raw = tomllib.loads(HORN.read_text(encoding="utf-8"))
    raw["horn"]["wall_thickness"] = 3
    raw["sweep"] = SWEEP
    raw["observation"]["angle_step"] = 1
    return raw


def engine(home: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [PYTHON, "-m", "engine", "--home", str(home), "engine", *extra],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait(predicate: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError("the benchmark waited too long")
        time.sleep(0.2)


def optimisation(home: Path, seed: int, kill: bool) -> tuple[dict[str, Any], float, dict[str, Any] | None]:
    """One optimisation (its engine killed after KILL_AFTER trials when ``kill``): its progress, wall seconds, and
    what the study looked like after the kill."""
    ranges = [f"a={A[0]:g}..{A[1]:g}", f"R={R[0]:g}..{R[1]:g}"]
    options = Options(vary=ranges, objective=OBJECTIVE, trials=TRIALS, seed=seed, name=f"search {seed}")
    study = optimize.create(optimize.draft(horn(), HORN.parent, options))
    started = time.perf_counter()
    in_flight = 0
    if kill:
        first = engine(home)
        wait(lambda: (optimize.progress(study.id) or {}).get("told", 0) >= KILL_AFTER, 900)
        in_flight = sum(1 for t in optimize.trials(study.id) if t.state == optimize.RUNNING)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        wait(lambda: lease.live_engine() is None, 60)
    engine(home, "--until-idle").wait(timeout=1800)
    wall = time.perf_counter() - started
    found = optimize.progress(study.id)
    assert found is not None and found["best"] is not None
    if not kill:
        return found, wall, None
    rows = optimize.trials(study.id)
    survived = {
        "in_flight": in_flight,
        "trials": len(rows),
        "distinct_jobs": len({t.job_id for t in rows}),
        "jobs": Job.select().where(Job.study_id == study.id).count(),
        "failed": [t.message for t in rows if t.state == optimize.FAILED],
        "ended": found["ended"],
    }
    return found, wall, survived


def grid(home: Path, a_count: int, r_count: int) -> tuple[dict[str, Any], float]:
    """A grid over the same ranges, ends included: its best point and objective, and wall seconds."""
    a_values = ",".join(f"{A[0] + i * (A[1] - A[0]) / (a_count - 1):.4g}" for i in range(a_count))
    r_values = ",".join(f"{R[0] + i * (R[1] - R[0]) / (r_count - 1):.4g}" for i in range(r_count))
    plan = studies.draft(horn(), HORN.parent, vary=[f"a={a_values}", f"R={r_values}"], name=f"grid {a_count}x{r_count}")
    assert plan is not None and len(plan.points) == TRIALS
    _, queued = studies.queue(plan)
    started = time.perf_counter()
    engine(home, "--until-idle").wait(timeout=1800)
    wall = time.perf_counter() - started
    found = metricstore.ensure([job.id for job in queued])
    scored = [
        (found[job.id]["values"][OBJECTIVE], json.loads(Job.get_by_id(job.id).study_values_json))
        for job in queued
        if job.id in found and found[job.id]["values"][OBJECTIVE] is not None
    ]
    objective, values = min(scored, key=lambda row: row[0])
    return {"objective": objective, "values": values}, wall


def first_below(found: dict[str, Any], objective: float) -> int | None:
    """The first trial (by place) that scored better than ``objective``."""
    return next((t["trial"] for t in found["history"] if (t["objective"] or float("inf")) < objective), None)


def main() -> list[Figure]:
    print(f"machine: {machine()}", flush=True)
    with temp_home(prefix="hornq-bench-optimize-") as home:
        settings.set_value("max_concurrent_jobs", str(CONCURRENT))
        runs = [optimisation(home.root, seed, kill=index == 0) for index, seed in enumerate(SEEDS)]
        grids = {f"{a} × {r} grid": grid(home.root, a, r) for a, r in GRIDS}
    for name, (best, wall) in grids.items():
        print(f"{name} ({wall:.0f} s): best {OBJECTIVE} {best['objective']:.2f}° at {label_for(best['values'])}")
    for seed, (found, wall, _) in zip(SEEDS, runs, strict=True):
        best = found["best"]
        beat = ", ".join(f"{name} at trial {first_below(found, g['objective'])}" for name, (g, _) in grids.items())
        print(
            f"optimisation, seed {seed} ({wall:.0f} s): best {OBJECTIVE} {best['objective']:.2f}° at "
            f"{label_for(best['values'])} (trial {best['trial']}); first beat the {beat}"
        )
    survived = runs[0][2]
    assert survived is not None
    print(
        f"engine killed after {KILL_AFTER} trials with {survived['in_flight']} in flight; then: {survived['trials']} "
        f"trials, {survived['distinct_jobs']} distinct jobs, {survived['jobs']} jobs in the study, "
        f"{len(survived['failed'])} failed ({'; '.join(survived['failed']) or 'none'}), ended: {survived['ended']}"
    )
    median = statistics.median(found["best"]["objective"] for found, _, _ in runs)
    figures = [
        Figure(
            f"best {OBJECTIVE} over 1–10 kHz, {TRIALS} trials, median of {len(SEEDS)} optimisations (TPE)",
            median,
            "°",
            name,
            best["objective"],
            "lower than the grid's",
            median < best["objective"],
        )
        for name, (best, _) in grids.items()
    ]
    figures.append(
        Figure(
            "trials of the study whose engine was killed (each point once, none lost)",
            survived["trials"],
            "",
            target=f"= {TRIALS}, one job each",
            ok=survived["trials"] == TRIALS == survived["distinct_jobs"] == survived["jobs"]
            and survived["ended"] == optimize.ENDED_TRIALS,
        )
    )
    show("Optimisation studies vs grids of the same budget (one run)", figures)
    return figures


if __name__ == "__main__":
    main()
