"""Engine throughput and dispatch latency: 1,000 no-op command jobs, a new process for each.

hornq runs them through the real engine (``hornq engine --until-idle`` in its own process, the
default one job at a time, output captured to the job's log). The peer is the least a durable queue
with process isolation must do, in the same run on the same kind of database: a bare Peewee loop
that claims the oldest row in a transaction, spawns ``true`` with its output to a log file, waits,
and marks the row done in another transaction. Dispatch latency is, per job, the time between the
previous job's recorded end and this job's recorded start.
"""

from __future__ import annotations

import os
import subprocess
import time
from datetime import datetime
from pathlib import Path

from peewee import IntegerField, Model, SqliteDatabase, TextField

from bench.common import PYTHON, ROOT, Figure, alternate, median, show, temp_home
from engine.config.job import parse_config
from engine.store import jobs
from engine.store.models import Job

N = 1000
REPEATS = 3
TARGET_RATE = 300.0
TARGET_GAP_MS = 10.0
BARE_PRAGMAS = {"journal_mode": "wal", "synchronous": "normal"}  # as hornq's database


def hornq_run() -> tuple[float, float]:
    """(jobs per second from first start to last end, median end → next start in ms)."""
    with temp_home() as home:
        jobs.submit_many([parse_config({"kind": "command", "command": {"argv": ["true"]}}, home.root)] * N)
        env = {**os.environ, "HORNQ_HOME": str(home.root)}
        subprocess.run(
            [PYTHON, "-m", "engine", "engine", "--until-idle"], env=env, cwd=ROOT, check=True, stderr=subprocess.DEVNULL
        )
        rows = list(Job.select(Job.started_at, Job.completed_at, Job.status).order_by(Job.queue_seq))
    assert all(row.status == "complete" for row in rows), "some no-op jobs did not complete"
    starts = [datetime.fromisoformat(row.started_at).timestamp() for row in rows]
    ends = [datetime.fromisoformat(row.completed_at).timestamp() for row in rows]
    gaps = [(start - end) * 1000 for end, start in zip(ends, starts[1:], strict=False)]
    return N / (ends[-1] - starts[0]), median(gaps)


class Task(Model):
    status = TextField()
    started = IntegerField(null=True)


def bare_loop(directory: Path) -> float:
    """Claim → spawn → complete with Peewee and nothing else; jobs per second."""
    db = SqliteDatabase(str(directory / "bare.db"), pragmas=BARE_PRAGMAS)
    with db.bind_ctx([Task]):
        db.create_tables([Task])
        Task.insert_many([("queued",)] * N, fields=[Task.status]).execute()
        log = directory / "bare.log"
        start = time.perf_counter()
        while True:
            with db.atomic():
                task = Task.select().where(Task.status == "queued").order_by(Task.id).first()
                if task is None:
                    break
                Task.update(status="running").where(Task.id == task.id).execute()
            with open(log, "ab") as out:
                subprocess.run(["true"], stdout=out, stderr=out, stdin=subprocess.DEVNULL, check=False)
            with db.atomic():
                Task.update(status="complete").where(Task.id == task.id).execute()
        elapsed = time.perf_counter() - start
    db.close()
    return N / elapsed


def bare_rate() -> float:
    with temp_home() as home:
        return bare_loop(home.root)


def main() -> list[Figure]:
    results: dict[str, list[tuple[float, float]]] = {"hornq": []}

    def hornq() -> float:
        results["hornq"].append(hornq_run())
        return results["hornq"][-1][0]

    samples = alternate({"hornq": hornq, "bare": bare_rate}, REPEATS)
    rate, bare = median(samples["hornq"]), median(samples["bare"])
    gap = median([g for _, g in results["hornq"]])
    figures = [
        Figure(
            f"{N:,} no-op command jobs through the engine",
            rate,
            "jobs/s",
            "bare Peewee claim→spawn→complete",
            bare,
            f"≥ {TARGET_RATE:g} jobs/s",
            rate >= TARGET_RATE,
        ),
        Figure("median end of job → next start", gap, "ms", "", None, f"≤ {TARGET_GAP_MS:g} ms", gap <= TARGET_GAP_MS),
    ]
    show(f"Engine throughput (median of {REPEATS})", figures)
    return figures


if __name__ == "__main__":
    main()
