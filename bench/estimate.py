"""How right `hornq estimate` is after one `hornq calibrate`, on small jobs of both methods, as a user sees it.

In a fresh HORNQ_HOME the script runs `hornq calibrate` and waits for its two jobs, then asks
`hornq estimate --json` about each config below before any of them runs (so every estimate comes from the
calibration alone), then submits them one at a time to the same background engine and waits for each. A job's
measured time is its `elapsed_s` (start to end, as the fit reads finished jobs); it is compared with the
estimate's warm seconds, or its cold seconds when the job's worker built its kernels in that job
(`metadata.mesh.compiled_in_this_job`). Target: every ratio within 1.5× either way.

    .venv/bin/python -m bench.estimate      # about 10 minutes on 2 cores
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

from bench.common import HORNQ, ROOT, Figure, machine, show, temp_home

TARGET = 1.5
ROSSE = tomllib.loads((ROOT / "examples" / "rosse-40deg.toml").read_text(encoding="utf-8"))["horn"]
OSSE = tomllib.loads((ROOT / "examples" / "osse-90x60.toml").read_text(encoding="utf-8"))["horn"]
OBSERVATION = {"distance": 2, "angle_step": 5, "planes": ["horizontal", "vertical"]}


def job(label: str, horn: dict[str, Any], mesh: dict[str, Any], sweep: dict[str, Any], **solver: Any) -> dict:
    return {
        "kind": "horn",
        "label": label,
        "horn": horn,
        "mesh": mesh,
        "sweep": sweep,
        "observation": OBSERVATION,
        "solver": solver,
    }


#: Small jobs, seconds to a couple of minutes each: 3-D whole, half and quarter models, auto and manual sizes,
#: banded and not, and round horns of the axisymmetric method.
CONFIGS = [
    job("3-D quarter, R-OSSE auto 6 kHz", ROSSE, {"size": "auto"}, {"f_min": 300, "f_max": 6000, "n": 12}, method="3d"),
    job(
        "3-D half, OS-SE 60 mm auto 8 kHz",
        {**OSSE, "L": 60, "a": "35 + 10*cos(p)"},
        {"size": "auto"},
        {"f_min": 500, "f_max": 8000, "n": 10},
    ),
    job(
        "3-D quarter, OS-SE 90x60 60 mm auto 16 kHz",
        {**OSSE, "L": 60},
        {"size": "auto"},
        {"f_min": 200, "f_max": 16000, "n": 20},
    ),
    job(
        "3-D whole, R-OSSE R 80 mm 8/20 mm",
        {**ROSSE, "R": 80},
        {"throat_size": 8, "mouth_size": 20},
        {"f_min": 500, "f_max": 2500, "n": 6},
        method="3d",
        symmetry="none",
    ),
    job(
        "3-D quarter, OS-SE round 4/10 mm, one mesh",
        {**OSSE, "a": 40},
        {"throat_size": 4, "mouth_size": 10, "banded": False},
        {"f_min": 1000, "f_max": 8000, "n": 4},
        method="3d",
    ),
    job("axisymmetric, rosse-40deg to 20 kHz", ROSSE, {"size": "auto"}, {"f_min": 200, "f_max": 20000, "n": 40}),
    job("axisymmetric, OS-SE round to 16 kHz", {**OSSE, "a": 40}, {}, {"f_min": 200, "f_max": 16000, "n": 30}),
    job("axisymmetric, R-OSSE R 80 mm, 80 points", {**ROSSE, "R": 80}, {}, {"f_min": 100, "f_max": 20000, "n": 80}),
]


def hornq(env: dict[str, str], *argv: str) -> str:
    return subprocess.run([HORNQ, *argv], env=env, capture_output=True, text=True, check=True).stdout


def wait(env: dict[str, str], job_id: str) -> dict[str, Any]:
    while (status := json.loads(hornq(env, "status", job_id, "--json")))["status"] in ("queued", "running"):
        time.sleep(1)
    if status["status"] != "complete":
        raise SystemExit(f"job {job_id[:8]} ended {status['status']}: {status['message']}")
    return status


def write(directory: Path, index: int, raw: dict[str, Any]) -> Path:
    """A config as TOML (flat tables of numbers, strings and lists are all these configs hold)."""

    def value(v: Any) -> str:
        return json.dumps(v) if not isinstance(v, bool) else str(v).lower()

    lines = [f"kind = {value(raw['kind'])}", f"label = {value(raw['label'])}"]
    for section in ("horn", "mesh", "sweep", "observation", "solver"):
        lines.append(f"[{section}]")
        lines += [f"{key} = {value(v)}" for key, v in raw[section].items()]
    path = directory / f"job{index}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> list[Figure]:
    print(f"machine: {machine()}", flush=True)
    figures, ratios = [], []
    with temp_home() as home, tempfile.TemporaryDirectory(prefix="hornq-estimate-") as tmp:
        env = {**os.environ, "HORNQ_HOME": str(home.root)}
        try:
            started = time.monotonic()
            for job_id in hornq(env, "calibrate").split():
                wait(env, job_id)
            print(f"calibration: {time.monotonic() - started:.0f} s", flush=True)
            paths = [write(Path(tmp), i, raw) for i, raw in enumerate(CONFIGS)]
            estimates = [json.loads(hornq(env, "estimate", str(path), "--json")) for path in paths]
            for raw, path, estimate in zip(CONFIGS, paths, estimates, strict=True):
                job_id = hornq(env, "submit", str(path)).strip()
                measured = wait(env, job_id)["elapsed_s"]
                results = json.loads(hornq(env, "results", job_id, "--json"))
                cold = bool(results["metadata"]["mesh"].get("compiled_in_this_job"))
                predicted = estimate["seconds"]["cold" if cold else "warm"]
                ratio = predicted / measured
                ratios.append(ratio)
                solver = results["metadata"]["solver"]
                sizes = [band.get("triangles") or band.get("elements") for band in solver["bands"]]
                planned = [band["triangles"] or band["elements"] for band in estimate["bands"]]
                print(
                    f"{raw['label']}: {solver['method']}, {solver.get('symmetry', 'none')}, "
                    f"{'cold' if cold else 'warm'}; estimated {predicted:.1f} s, measured {measured:.1f} s "
                    f"({ratio:.2f}×); meshes planned {planned}, solved {sizes}",
                    flush=True,
                )
                figures.append(
                    Figure(
                        f"{raw['label']} ({'cold' if cold else 'warm'})",
                        predicted,
                        "s",
                        "measured run time",
                        measured,
                        f"within {TARGET:g}×",
                        1 / TARGET <= ratio <= TARGET,
                    )
                )
        finally:
            subprocess.run([HORNQ, "engine", "stop"], env=env, capture_output=True, check=False)
    worst = max(ratios, key=lambda r: max(r, 1 / r))
    ok = 1 / TARGET <= worst <= TARGET
    figures.append(Figure("worst estimate / measured", worst, "×", target=f"within {TARGET:g}×", ok=ok))
    show("Estimates after one calibration against measured run times (one run)", figures)
    return figures


if __name__ == "__main__":
    main()
