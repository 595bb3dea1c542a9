"""Enqueue throughput: hornq's Python API against huey's SqliteHuey, same durability, same run.

Both queues write to SQLite in WAL mode, and an acknowledged enqueue is committed (a crash loses
nothing acknowledged, short of power loss). hornq runs ``synchronous=NORMAL``; huey is given the
same through a one-line storage subclass, and is also shown at its default (``synchronous`` as
SQLite ships it: FULL, an fsync per commit) for reference. huey commits each task and has no batch
enqueue; hornq is shown committing a batch (``submit_many``) and each job (``submit``), with and
without validating the job (``parse_config``) in the timing: huey validates nothing.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path

from huey import SqliteHuey
from huey.storage import SqliteStorage

from bench.common import Figure, alternate, median, show, temp_home
from engine.config.job import parse_config
from engine.store import jobs

N = 2000
REPEATS = 5
TARGET = 2.0


class NormalSyncStorage(SqliteStorage):
    """huey's SQLite storage with hornq's durability: WAL and synchronous=NORMAL."""

    def _create_connection(self) -> sqlite3.Connection:
        conn = super()._create_connection()
        conn.execute("pragma synchronous=1")
        return conn


def hornq_rate(mode: str) -> float:
    """Jobs per second into a fresh HORNQ_HOME.

    ``batch``: jobs validated beforehand, queued by one ``submit_many`` (the queue's own cost, as huey's
    enqueue of ready arguments); ``batch+validate``: validation timed too; ``single``: validated and
    queued by ``submit`` one at a time, a commit each.
    """
    with temp_home() as home:
        config = {"kind": "command", "command": {"argv": ["true"], "cwd": str(home.root)}}
        specs = [parse_config(config, home.root) for _ in range(N)] if mode == "batch" else []
        start = time.perf_counter()
        if mode == "batch":
            jobs.submit_many(specs)
        elif mode == "batch+validate":
            jobs.submit_many(parse_config(config, home.root) for _ in range(N))
        else:
            for _ in range(N):
                jobs.submit(parse_config(config, home.root))
        return N / (time.perf_counter() - start)


def huey_rate(storage: type[SqliteStorage]) -> float:
    """Tasks per second through a huey task call (pickle + insert + commit) into a fresh database."""
    with tempfile.TemporaryDirectory(prefix="huey-bench-") as tmp:
        huey = SqliteHuey("bench", filename=str(Path(tmp) / "huey.db"), storage_class=storage)

        @huey.task()
        def run(argv: list[str]) -> None:
            """Never executed: only enqueued."""

        start = time.perf_counter()
        for _ in range(N):
            run(["true"])
        elapsed = time.perf_counter() - start
        huey.storage.close()
        return N / elapsed


def main() -> list[Figure]:
    modes = ("batch", "batch+validate", "single")
    samples = alternate(
        {
            **{mode: lambda mode=mode: hornq_rate(mode) for mode in modes},
            "huey": lambda: huey_rate(NormalSyncStorage),
            "huey-default": lambda: huey_rate(SqliteStorage),
        },
        REPEATS,
    )
    rate = {name: median(values) for name, values in samples.items()}
    huey = rate["huey"]
    peer = "SqliteHuey, a commit per task"
    target = f"≥ {TARGET:g}× huey"
    figures = [
        Figure(
            "`jobs.submit_many` of validated jobs, one commit",
            rate["batch"],
            "jobs/s",
            peer,
            huey,
            target,
            rate["batch"] / huey >= TARGET,
        ),
        Figure(
            "`parse_config` + `jobs.submit_many`, one commit",
            rate["batch+validate"],
            "jobs/s",
            peer,
            huey,
            target,
            rate["batch+validate"] / huey >= TARGET,
        ),
        Figure(
            "`parse_config` + `jobs.submit`, a commit per job",
            rate["single"],
            "jobs/s",
            peer,
            huey,
            target,
            rate["single"] / huey >= TARGET,
        ),
        Figure(
            "`parse_config` + `jobs.submit`, for reference",
            rate["single"],
            "jobs/s",
            "SqliteHuey default (synchronous FULL)",
            rate["huey-default"],
        ),
    ]
    show(f"Enqueue throughput ({N} jobs, median of {REPEATS})", figures)
    return figures


if __name__ == "__main__":
    main()
