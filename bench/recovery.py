"""Recovery at engine start: 100k jobs in the database, 1,000 of them left running by a dead engine.

hornq's recovery checks each orphan's process group (pid *and* start time) before marking it
``error`` with a history row, one transaction per job. The peer is the least any recovery must do:
one UPDATE marking the same 1,000 rows and one INSERT of their history rows, in one transaction, on
an identical database. The whole engine start (lease, recovery, retention check) is shown too.
"""

from __future__ import annotations

import asyncio
import time

from bench.common import Figure, median, show, temp_home
from bench.populate import populate
from engine.run import recovery
from engine.run.engine import Engine
from engine.store import settings
from engine.store.models import Job, database

TOTAL = 100_000
RUNNING = 1_000
QUEUED = 100
REPEATS = 3
TARGET_S = 1.0


def hornq_recovery() -> float:
    with temp_home():
        populate(TOTAL, running=RUNNING, queued=QUEUED)
        start = time.perf_counter()
        interrupted = recovery.recover()
        elapsed = time.perf_counter() - start
        assert len(interrupted) == RUNNING
        return elapsed


def floor_recovery() -> float:
    with temp_home():
        populate(TOTAL, running=RUNNING, queued=QUEUED)
        start = time.perf_counter()
        with database.atomic():
            database.execute_sql(
                "INSERT INTO job_event (job_id, from_status, to_status, at, source, message) "
                "SELECT id, 'running', 'error', datetime('now'), 'recovery', ? FROM job WHERE status = 'running'",
                (recovery.INTERRUPTED,),
            )
            database.execute_sql(
                "UPDATE job SET status = 'error', error_message = ? WHERE status = 'running'", (recovery.INTERRUPTED,)
            )
        elapsed = time.perf_counter() - start
        assert Job.select().where(Job.status == "running").count() == 0
        return elapsed


def engine_start() -> float:
    """From Engine.serve() to its exit with nothing queued: lease, recovery, the retention check.

    Retention is set to keep every job, as a user keeping 100k jobs would have set it: pruning
    99,000 jobs on the first start is a one-off cost of its own, not part of recovery.
    """
    with temp_home() as home:
        populate(TOTAL, running=RUNNING, queued=0)
        settings.set_value("retention_max_jobs", str(TOTAL))
        engine = Engine(home, until_idle=True)
        start = time.perf_counter()
        asyncio.run(engine.serve())
        return time.perf_counter() - start


def main() -> list[Figure]:
    hornq, floor, whole = [], [], []
    for _ in range(REPEATS):
        hornq.append(hornq_recovery())
        floor.append(floor_recovery())
        whole.append(engine_start())
    figures = [
        Figure(
            f"recovery, {RUNNING:,} orphans among {TOTAL:,} jobs",
            median(hornq),
            "s",
            "one UPDATE + one INSERT",
            median(floor),
            f"≤ {TARGET_S:g} s",
            median(hornq) <= TARGET_S,
        ),
        Figure(
            "whole engine start, nothing to prune (reference)",
            median(whole),
            "s",
            "one UPDATE + one INSERT",
            median(floor),
        ),
    ]
    show(f"Recovery at engine start (median of {REPEATS})", figures)
    return figures


if __name__ == "__main__":
    main()
