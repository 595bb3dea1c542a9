"""CLI submit latency: ``hornq run -- true`` against the floor of any Peewee-based command line.

The floor is ``python -c "import peewee, sqlite3"`` with the same interpreter: no CLI that stores its
queue through Peewee can answer faster. ``python -c pass`` (the bare interpreter) and task-spooler's
``tsp true`` (a C client talking to its daemon over a socket) are shown for reference. hornq is
measured through its console script, as a user types it, with an engine running (the jobs really
run meanwhile) and with ``--no-start`` (no engine check at all).
"""

from __future__ import annotations

import os
import shutil
import subprocess

from bench.common import HORNQ, PYTHON, Figure, alternate, median, show, temp_home, wall

REPEATS = 25
TARGET = 1.5


def main() -> list[Figure]:
    with temp_home() as home:
        # Bytecode cached as after any normal install, even where the environment turns writing it off.
        env = {
            **os.environ,
            "HORNQ_HOME": str(home.root),
            "TS_SOCKET": str(home.root / "tsp.socket"),
            "TS_MAXFINISHED": "1000",
            "PYTHONPYCACHEPREFIX": str(home.root / "pycache"),
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([HORNQ, "engine", "start"], env=env, check=True, stdout=subprocess.DEVNULL)
        tsp = shutil.which("tsp")
        candidates = {
            "floor": lambda: wall([PYTHON, "-c", "import peewee, sqlite3"], env),
            "bare": lambda: wall([PYTHON, "-c", "pass"], env),
            "hornq": lambda: wall([HORNQ, "run", "--", "true"], env, home.root),
            "hornq-no-start": lambda: wall([HORNQ, "run", "--no-start", "--", "true"], env, home.root),
        }
        if tsp:
            candidates["tsp"] = lambda: wall([tsp, "true"], env)
        try:
            alternate(candidates, 1)  # warm-up: bytecode written, page cache filled, engine and tsp daemon up
            samples = alternate(candidates, REPEATS)
        finally:
            subprocess.run([HORNQ, "engine", "stop"], env=env, check=False, stdout=subprocess.DEVNULL)
            if tsp:
                subprocess.run([tsp, "-K"], env=env, check=False, stderr=subprocess.DEVNULL)
    ms = {name: median(values) * 1000 for name, values in samples.items()}
    floor = ms["floor"]
    figures = [
        Figure(
            "`hornq run -- true` (engine running)",
            ms["hornq"],
            "ms",
            "`python -c 'import peewee, sqlite3'`",
            floor,
            f"≤ {TARGET:g}× floor",
            ms["hornq"] <= TARGET * floor,
        ),
        Figure(
            "`hornq run --no-start -- true`",
            ms["hornq-no-start"],
            "ms",
            "`python -c 'import peewee, sqlite3'`",
            floor,
            f"≤ {TARGET:g}× floor",
            ms["hornq-no-start"] <= TARGET * floor,
        ),
        Figure("`python -c pass` (reference)", ms["bare"], "ms", "`python -c 'import peewee, sqlite3'`", floor),
    ]
    if "tsp" in ms:
        figures.append(
            Figure(
                "`tsp true` (task-spooler, reference)", ms["tsp"], "ms", "`python -c 'import peewee, sqlite3'`", floor
            )
        )
    else:
        print("task-spooler (tsp) is not installed: left out")
    show(f"CLI submit latency (median of {REPEATS}, wall time from spawn to exit)", figures)
    return figures


if __name__ == "__main__":
    main()
