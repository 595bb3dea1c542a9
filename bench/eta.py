"""How steady and how right the ETA of the shipped examples is, as a script polling `hornq status --json` sees it.

Each example in ``examples/`` runs alone in a fresh HORNQ_HOME and engine (a fresh worker: the first job a new
user runs) with the built-in cost figures, and with ``--calibrated`` again after ``hornq calibrate`` has measured
the machine.
Every ``--interval`` seconds (10 by default) the script reads the ETA and how many frequencies are solved. Between
two samples the ETA should fall by the time that passed; a **move** is how far it is off that, as a share of the
remaining time at the first sample. Target: no move above 50 % once the first two frequencies are solved. The
**error** of a sample is its ETA over the time the job really had left, which the end of the run tells.

    .venv/bin/python -m bench.eta                 # about 10 minutes on 2 cores
    .venv/bin/python -m bench.eta --interval 1    # also catches the short examples
    .venv/bin/python -m bench.eta --calibrated    # then again after calibration: about 20 minutes
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import HORNQ, ROOT, Figure, machine, show, temp_home

EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))
MAX_MOVE = 0.5
#: A sample counts once this many frequencies are solved: before, the ETA is the model alone.
SETTLED = 2


@dataclass(frozen=True)
class Sample:
    at: float  # seconds since submission
    elapsed: float  # the job's own elapsed_s then
    eta: float
    solved: int


def hornq(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HORNQ, *argv], env=env, capture_output=True, text=True, check=True)


def watch(path: Path, env: dict[str, str], interval: float) -> tuple[list[Sample], float]:
    """Submit ``path``, sample its ETA until it ends; the samples and the job's run time (its final elapsed_s)."""
    job_id = hornq(env, "submit", str(path)).stdout.strip()
    started = time.monotonic()
    samples = []
    while True:
        status = json.loads(hornq(env, "status", job_id, "--json").stdout)
        if status["status"] not in ("queued", "running"):
            break
        listed = json.loads(hornq(env, "jobs", "--json", "--status", "running").stdout)["items"]
        marker = next((item["partial"] for item in listed if item["id"] == job_id), None) or {}
        if status["eta_s"] is not None:
            at = time.monotonic() - started
            samples.append(Sample(at, status["elapsed_s"], status["eta_s"], int(marker.get("solved", 0))))
        time.sleep(interval)
    if status["status"] != "complete":
        raise SystemExit(f"{path.name} ended {status['status']}: {status['message']}")
    return samples, status["elapsed_s"]


def moves(samples: list[Sample]) -> list[float]:
    """Each pair of settled samples' move: |ETA₂ − (ETA₁ − Δt)| / ETA₁."""
    settled = [s for s in samples if s.solved >= SETTLED and s.eta > 0]
    return [abs(b.eta - (a.eta - (b.at - a.at))) / a.eta for a, b in itertools.pairwise(settled)]


def errors(samples: list[Sample], run: float) -> list[float]:
    """Each settled sample's ETA over the time the job really had left (its run time less its elapsed then)."""
    return [s.eta / (run - s.elapsed) for s in samples if s.solved >= SETTLED and run - s.elapsed > 0]


def run_examples(env: dict[str, str], interval: float, when: str) -> list[Figure]:
    figures = []
    for path in EXAMPLES:
        samples, run = watch(path, env, interval)
        moved, wrong = moves(samples), errors(samples, run)
        worst = max(moved, default=0.0)
        print(
            f"{path.name} ({when}): ran {run:.0f} s, {len(samples)} samples, "
            f"moves {', '.join(f'{m:.0%}' for m in moved) or 'none'}; "
            f"ETA/actual {', '.join(f'{e:.2f}' for e in wrong) or 'none'}",
            flush=True,
        )
        figures.append(
            Figure(
                f"{path.stem}, {when}: largest ETA move ({len(moved)} pairs)",
                100 * worst,
                "%",
                target=f"≤ {MAX_MOVE:.0%}",
                ok=worst <= MAX_MOVE,
            )
        )
        if wrong:
            worst_error = max(wrong, key=lambda e: abs(e - 1))
            figures.append(Figure(f"{path.stem}, {when}: ETA / actual, worst", worst_error, "×"))
    return figures


def main() -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between samples (default 10)")
    parser.add_argument("--calibrated", action="store_true", help="run the examples again after `hornq calibrate`")
    args = parser.parse_args()
    print(f"machine: {machine()}", flush=True)
    figures = []
    with temp_home() as home:
        env = {**os.environ, "HORNQ_HOME": str(home.root)}
        figures += run_examples(env, args.interval, "built-in figures")
        if not args.calibrated:
            show(f"ETA of the shipped examples, sampled every {args.interval:g} s", figures)
            return figures
        for job_id in hornq(env, "calibrate").stdout.split():
            while json.loads(hornq(env, "status", job_id, "--json").stdout)["status"] in ("queued", "running"):
                time.sleep(1)
        figures += run_examples(env, args.interval, "calibrated")
    show(f"ETA of the shipped examples, sampled every {args.interval:g} s", figures)
    return figures


if __name__ == "__main__":
    main()
