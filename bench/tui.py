"""The terminal app with 100k jobs in the database, driven headless (``App.run_test``).

Each measurement runs in a fresh process (this script re-runs itself with ``--measure HOME``) so
that its resident memory is the app's alone and its first paint includes the imports a user waits
for. First paint: from the script's first line (only the interpreter's own start-up comes before)
until the job table shows its window of rows on a rendered screen. Poll cycle: what the app's
poll thread does every second while jobs run (read what changed since the last poll and the
engine's counts) plus applying it to the table, with one job changed between cycles. The peer is
the same app on a database of 10 jobs, measured in the same run.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import asyncio  # noqa: E402  (after the clock starts: imports are part of the first paint)
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from bench.common import Figure, median, rss_mb, show, temp_home  # noqa: E402

TOTAL = 100_000
SMALL = 10
REPEATS = 3
CYCLES = 50
TARGET_PAINT_S = 1.5
TARGET_POLL_MS = 10.0
TARGET_RSS_MB = 200.0


async def measure(root: Path) -> dict[str, float]:
    """First paint, median poll cycle and resident memory of the app on the HORNQ_HOME at root."""
    from engine.paths import Home
    from engine.store import jobs
    from tui.app import HornqApp

    app = HornqApp(Home(root), start_engine=False, poll=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.main
        assert screen.table.row_count > 0
        paint = time.perf_counter() - STARTED
        running = next(job_id for job_id, view in screen.table.views.items() if view.status == "running")
        cycles = []
        for n in range(CYCLES):
            jobs.update_job(running, progress=n / CYCLES)
            start = time.perf_counter()
            screen.on_jobs_changed(screen.poller.changes())
            cycles.append(time.perf_counter() - start)
        await pilot.pause()
        return {"paint_s": paint, "poll_ms": median(cycles) * 1000, "rss_mb": rss_mb()}


def run_child(root: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.tui", "--measure", str(root)], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> list[Figure]:
    from bench.populate import populate
    from engine.paths import Home
    from engine.store.db import open_database

    with temp_home() as big:
        populate(TOTAL, running=5, queued=50)
        small_root = big.root.parent / "small"
        small = open_database(Home(small_root))
        populate(SMALL, running=1, queued=2)
        small.close()
        found: dict[str, list[dict[str, float]]] = {"big": [], "small": []}
        for _ in range(REPEATS):  # alternating, so slow minutes hit both alike
            for name, root in (("big", big.root), ("small", small_root)):
                found[name].append(run_child(root))

    def med(name: str, key: str) -> float:
        return median([sample[key] for sample in found[name]])

    peer = f"same app, {SMALL} jobs"
    figures = [
        Figure(
            f"first complete paint, {TOTAL:,} jobs (imports included)",
            med("big", "paint_s"),
            "s",
            peer,
            med("small", "paint_s"),
            f"≤ {TARGET_PAINT_S:g} s",
            med("big", "paint_s") <= TARGET_PAINT_S,
        ),
        Figure(
            "one poll cycle (read changes + apply)",
            med("big", "poll_ms"),
            "ms",
            peer,
            med("small", "poll_ms"),
            f"≤ {TARGET_POLL_MS:g} ms",
            med("big", "poll_ms") <= TARGET_POLL_MS,
        ),
        Figure(
            "resident memory",
            med("big", "rss_mb"),
            "MiB",
            peer,
            med("small", "rss_mb"),
            f"≤ {TARGET_RSS_MB:g} MB",
            med("big", "rss_mb") <= TARGET_RSS_MB,
        ),
    ]
    show(f"TUI with {TOTAL:,} jobs (headless, median of {REPEATS})", figures)
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        print(json.dumps(asyncio.run(measure(Path(sys.argv[2])))))
    else:
        main()
