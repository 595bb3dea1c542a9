"""Horn solve: hornq against the plain bempp-cl script (``bench/plain_bempp.py``) on the same mesh.

Three meshes of the reference R-OSSE horn are written once. The plain script solves the middle one
in a fresh process, as a user would run it (its wall time includes the interpreter, the imports and
bempp-cl's numba compilation), once before and once after hornq's jobs; the peer is the mean of
the two, so a load change during the run hits both sides. hornq gets four jobs on a fresh engine:
the middle mesh twice (the first pays the compilation in a fresh worker, the second runs in the now
warm worker), then the small and large meshes, whose per-frequency times give the growth with
element count. Each fresh process pays the compilation (minutes on 2 cores), so there are no
further repeats.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import time
import tomllib
from datetime import datetime
from pathlib import Path

from bench.common import PYTHON, ROOT, Figure, show, temp_home
from engine.config.job import parse_config
from engine.solvers.horn.config import HornConfig
from engine.solvers.horn.mesh import build_mesh
from engine.store import jobs
from engine.store.models import Job

SIZES = {"small": (18, 45), "middle": (12, 30), "large": (8, 20)}  # throat and mouth element size, mm
FREQUENCIES = [500.0, 1000.0, 2000.0]
TARGET_FIRST = 1.05
TARGET_WARM = 0.5


def horn_config(mesh: Path | None = None) -> dict:
    raw = tomllib.loads((ROOT / "examples" / "rosse-40deg.toml").read_text(encoding="utf-8"))
    raw["sweep"] = {"f_min": FREQUENCIES[0], "f_max": FREQUENCIES[-1], "n": len(FREQUENCIES), "spacing": "log"}
    if mesh is not None:
        raw["mesh"] = {"file": str(mesh), "scale": 1.0}
    return raw


def write_meshes(directory: Path) -> dict[str, Path]:
    """The reference horn meshed at three sizes, as hornq would mesh it (metres, canonical tags)."""
    raw = horn_config()
    paths = {}
    for name, (throat, mouth) in SIZES.items():
        raw["mesh"] = {"throat_size": throat, "mouth_size": mouth}
        config = HornConfig.from_dict(parse_config(raw, ROOT).validated.config)
        paths[name] = directory / f"{name}.msh"
        build_mesh(config, paths[name])
    return paths


def plain(mesh: Path) -> tuple[float, list[float]]:
    """Wall seconds of the plain script in a fresh process, and its seconds per frequency."""
    start = time.perf_counter()
    out = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "plain_bempp.py"), str(mesh), *map(str, FREQUENCIES)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return time.perf_counter() - start, json.loads(out.strip().splitlines()[-1])["seconds"]


def hornq(home_root: Path, meshes: dict[str, Path]) -> list[tuple[float, list[float], int]]:
    """Per job, in queue order: (wall seconds from start to end, seconds per frequency, triangles)."""
    for name in ("middle", "middle", "small", "large"):
        jobs.submit(parse_config(horn_config(meshes[name]), ROOT))
    env = {**os.environ, "HORNQ_HOME": str(home_root)}
    subprocess.run(
        [PYTHON, "-m", "engine", "engine", "--until-idle"], env=env, cwd=ROOT, check=True, stderr=subprocess.DEVNULL
    )
    runs = []
    for job in Job.select().order_by(Job.queue_seq):
        assert job.status == "complete", f"horn job {job.id[:8]} ended {job.status}: {job.error_message}"
        wall = (datetime.fromisoformat(job.completed_at) - datetime.fromisoformat(job.started_at)).total_seconds()
        meta = jobs.results(job.id)["metadata"]
        runs.append((wall, meta["solve_seconds"], meta["mesh"]["triangles"]))
    return runs


def exponent(triangles: list[int], seconds: list[float]) -> float:
    """Least-squares slope of log(time per frequency) against log(triangles)."""
    xs, ys = [math.log(t) for t in triangles], [math.log(s) for s in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def per_frequency(seconds: list[float]) -> float:
    """Mean seconds per frequency after the first, the same frequencies for every run.

    The first frequency of a fresh process includes the compilation, so it is left out everywhere.
    """
    return sum(seconds[1:]) / len(seconds[1:])


def main() -> list[Figure]:
    with temp_home() as home:
        meshes = write_meshes(home.root)
        before = plain(meshes["middle"])
        first, warm, small, large = hornq(home.root, meshes)
        after = plain(meshes["middle"])
    plain_wall = (before[0] + after[0]) / 2
    plain_seconds = [(a + b) / 2 for a, b in zip(before[1], after[1], strict=True)]
    print(f"plain script before and after hornq's jobs: {before[0]:.1f} s, {after[0]:.1f} s")
    growth = [small, warm, large]
    fit = exponent([t for _, _, t in growth], [per_frequency(s) for _, s, _ in growth])
    figures = [
        Figure(
            f"first job, fresh worker ({warm[2]} triangles, {len(FREQUENCIES)} frequencies)",
            first[0],
            "s",
            "plain bempp-cl script, fresh process",
            plain_wall,
            f"≤ {TARGET_FIRST:g}× plain",
            first[0] <= TARGET_FIRST * plain_wall,
        ),
        Figure(
            "second job, warm worker",
            warm[0],
            "s",
            "plain bempp-cl script, fresh process",
            plain_wall,
            f"≤ {TARGET_WARM:g}× plain",
            warm[0] <= TARGET_WARM * plain_wall,
        ),
        Figure(
            "time per frequency (all but the first)",
            per_frequency(warm[1]),
            "s",
            "plain script, same frequencies",
            per_frequency(plain_seconds),
        ),
    ]
    figures += [Figure(f"time per frequency, {t} triangles", per_frequency(s), "s") for _, s, t in growth]
    figures.append(Figure("growth exponent of time per frequency with triangles (fit)", fit, "", "dense BEM: 2"))
    show("Horn solve (one run; the plain script before and after hornq)", figures)
    return figures


if __name__ == "__main__":
    main()
