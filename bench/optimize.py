"""Optimisation studies against grid studies of the same budget, on a round R-OSSE horn, with an engine kill.

The question a designer asks: which horn gives the most constant beamwidth over 1–10 kHz, i.e. the lowest
``bw_h_spread`` (max − min of the horizontal −6 dB beamwidth over the metric band)? The horn is
``examples/rosse-40deg.toml`` with a 3 mm wall, 30 frequencies from 1 to 10 kHz and polars every degree, solved
axisymmetrically; every study runs two points at a time through a real engine in one fresh HORNQ_HOME.

Two searches of 40 points each:

- **coverage and mouth**: ``a`` = 30–50° and ``R`` = 150–300 mm, against the 5 × 8 and 8 × 5 grids (ends
  included). A dense map of this plane (21 × 16 points, 1° × 10 mm) puts its optimum at a = 35°, R = 220 mm,
  in a broad diagonal valley; the figures below say how far each study's best stays above that map's best;
- **coverage, mouth and profile**: ``a``, ``R``, the throat expansion ``k`` = 0.2–2 and the mouth bending
  ``b`` = 0–1, ranges wide enough to hold the best ``k`` and ``b`` inside them, against the four 40-point grids
  that give five values to one parameter and two (its ends) to the others: a user must guess which one.

hornq's optimisation (TPE) runs three times per search with different seeds; the first run's engine is killed
(``kill -9``) part way and a new engine finishes the study. It prints every best with its objective, when each
optimisation first beat each grid's best, and how the killed study came through (trials, jobs, failed trials).

    .venv/bin/python -m bench.optimize      # about 25 minutes on 2 cores
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import time
import tomllib
from dataclasses import dataclass
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
OBJECTIVE = "bw_h_spread"
CONCURRENT = 2
SEEDS = (1, 2, 3)  # the first run's engine is killed
KILL_AFTER = 15  # trials told before the engine is killed
#: The best bw_h_spread of the dense 21 × 16 map of the coverage-and-mouth plane (1° × 10 mm, this code).
MAP_BEST = 12.52


@dataclass(frozen=True)
class Search:
    """Ranges to search, and the grids of TRIALS points (values per parameter, in the ranges' order) to beat."""

    name: str
    ranges: dict[str, tuple[float, float]]
    grids: tuple[tuple[int, ...], ...]


SEARCHES = (
    Search("coverage and mouth", {"a": (30.0, 50.0), "R": (150.0, 300.0)}, ((5, 8), (8, 5))),
    Search(
        "coverage, mouth and profile",
        {"a": (30.0, 50.0), "R": (150.0, 300.0), "k": (0.2, 2.0), "b": (0.0, 1.0)},
        ((5, 2, 2, 2), (2, 5, 2, 2), (2, 2, 5, 2), (2, 2, 2, 5)),
    ),
)


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


def optimisation(
    home: Path, search: Search, seed: int, kill: bool
) -> tuple[dict[str, Any], float, dict[str, Any] | None]:
    """One optimisation (its engine killed after KILL_AFTER trials when ``kill``): its progress, wall seconds, and
    what the study looked like after the kill."""
    ranges = [f"{name}={low:g}..{high:g}" for name, (low, high) in search.ranges.items()]
    options = Options(vary=ranges, objective=OBJECTIVE, trials=TRIALS, seed=seed, name=f"{search.name}, seed {seed}")
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


def grid(home: Path, search: Search, counts: tuple[int, ...]) -> tuple[dict[str, Any], float]:
    """A grid over the search's ranges, ends included: its best point and objective, and wall seconds."""
    vary = []
    for (name, (low, high)), count in zip(search.ranges.items(), counts, strict=True):
        values = ",".join(f"{low + i * (high - low) / (count - 1):.4g}" for i in range(count))
        vary.append(f"{name}={values}")
    plan = studies.draft(horn(), HORN.parent, vary=vary, name=f"grid {' × '.join(map(str, counts))}")
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


def compare(home: Path, search: Search, kill: bool) -> tuple[list[Figure], dict[str, Any] | None]:
    """One search: the optimisations against the grids, as figures, and how a killed study came through."""
    runs = [optimisation(home, search, seed, kill=kill and index == 0) for index, seed in enumerate(SEEDS)]
    grids = {f"{' × '.join(map(str, counts))} grid": grid(home, search, counts) for counts in search.grids}
    print(f"\n{search.name}: {', '.join(f'{n} {lo:g}–{hi:g}' for n, (lo, hi) in search.ranges.items())}")
    for name, (best, wall) in grids.items():
        print(f"  {name} ({wall:.0f} s): best {OBJECTIVE} {best['objective']:.2f}° at {label_for(best['values'])}")
    for seed, (found, wall, _) in zip(SEEDS, runs, strict=True):
        best = found["best"]
        beat = ", ".join(f"{name} at trial {first_below(found, g['objective'])}" for name, (g, _) in grids.items())
        print(
            f"  optimisation, seed {seed} ({wall:.0f} s): best {OBJECTIVE} {best['objective']:.2f}° at "
            f"{label_for(best['values'])} (trial {best['trial']}); first beat the {beat}"
        )
    median = statistics.median(found["best"]["objective"] for found, _, _ in runs)
    worst = max(found["best"]["objective"] for found, _, _ in runs)
    figures = [
        Figure(
            f"{search.name}: best {OBJECTIVE}, {TRIALS} trials, median (worst) of {len(SEEDS)} optimisations",
            median,
            "°",
            name,
            best["objective"],
            f"lower than the grid's (worst {worst:.2f}°)",
            worst < best["objective"],
        )
        for name, (best, _) in grids.items()
    ]
    if len(search.ranges) == 2:
        best_grid = min(best["objective"] for best, _ in grids.values())
        print(
            f"  above the dense map's best ({MAP_BEST:.2f}°): best grid {best_grid - MAP_BEST:+.2f}°, "
            f"optimisations' median {median - MAP_BEST:+.2f}°, worst {worst - MAP_BEST:+.2f}°"
        )
    return figures, runs[0][2]


def main() -> list[Figure]:
    print(f"machine: {machine()}", flush=True)
    figures: list[Figure] = []
    survived = None
    with temp_home(prefix="hornq-bench-optimize-") as home:
        settings.set_value("max_concurrent_jobs", str(CONCURRENT))
        for index, search in enumerate(SEARCHES):
            found, killed = compare(home.root, search, kill=index == 0)
            figures += found
            survived = survived or killed
    assert survived is not None
    print(
        f"\nengine killed after {KILL_AFTER} trials with {survived['in_flight']} in flight; then: "
        f"{survived['trials']} trials, {survived['distinct_jobs']} distinct jobs, {survived['jobs']} jobs in the "
        f"study, {len(survived['failed'])} failed ({'; '.join(survived['failed']) or 'none'}), "
        f"ended: {survived['ended']}"
    )
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
