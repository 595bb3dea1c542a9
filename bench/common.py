"""What every benchmark shares: a throw-away HORNQ_HOME, medians, the machine line and the result table.

Figures are ratios against a peer measured in the same run, because the machine is shared and noisy:
an absolute number from a busy minute says little, a ratio to something that suffered the same minute
says more. Every figure is a median of several alternating repeats.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from engine.paths import Home
from engine.store.db import open_database
from engine.store.models import database

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HORNQ = str(Path(PYTHON).parent / "hornq")


@dataclass
class Figure:
    """One line of the result table: hornq's number, its peer's, their ratio and the target."""

    name: str
    value: float
    unit: str
    peer: str = ""
    peer_value: float | None = None
    target: str = ""
    ok: bool | None = None

    @property
    def ratio(self) -> float | None:
        return self.value / self.peer_value if self.peer_value else None


def median(values: list[float]) -> float:
    return statistics.median(values)


def machine() -> str:
    """CPU model, cores, memory, OS and Python, plus the load at the time (the noise we measure in)."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem_kb / 2**20:.0f} GiB RAM, Linux {platform.release()}, "
        f"Python {platform.python_version()}; load average {load}"
    )


@contextmanager
def temp_home(prefix: str = "hornq-bench-") -> Iterator[Home]:
    """A fresh HORNQ_HOME with its database open and bound to the models, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        home = Home(Path(tmp) / "home")
        db = open_database(home)
        try:
            yield home
        finally:
            db.close()
            database.initialize(None)


def wall(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> float:
    """Seconds one command takes from spawn to exit, output discarded (as a script calling it would)."""
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd, check=True)
    return time.perf_counter() - start


def alternate(candidates: dict[str, Callable[[], float]], repeats: int) -> dict[str, list[float]]:
    """Run each candidate once per round, rounds in turn, so slow minutes hit all of them alike."""
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, measure in candidates.items():
            samples[name].append(measure())
    return samples


def rss_mb() -> float:
    """Resident memory of this process (VmRSS), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def table(figures: list[Figure]) -> str:
    """The figures as a Markdown table, ready to paste into bench/README.md."""
    lines = ["| figure | hornq | peer | peer value | ratio | target | met |", "|---|---|---|---|---|---|---|"]
    for f in figures:
        peer_value = "" if f.peer_value is None else f"{f.peer_value:.4g} {f.unit}"
        ratio = "" if f.ratio is None else f"{f.ratio:.2f}×"
        met = {True: "yes", False: "**no**", None: ""}[f.ok]
        lines.append(f"| {f.name} | {f.value:.4g} {f.unit} | {f.peer} | {peer_value} | {ratio} | {f.target} | {met} |")
    return "\n".join(lines)


def show(title: str, figures: list[Figure]) -> None:
    print(f"\n## {title}\n\n{table(figures)}\n", flush=True)
