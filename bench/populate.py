"""A database as a long-time user's looks: many finished jobs, a few queued, some left running.

Rows go in with bulk SQL (one transaction) rather than through ``jobs.submit``: the point is the
state the TUI and a starting engine face, not how it was reached. Every job gets the history rows
its status implies, and the change and queue counters end where real use would leave them.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from engine.store.models import database

SUMMARY = json.dumps(
    {"formula_type": "R-OSSE", "frequency_range": [200, 20000], "num_frequencies": 48, "sim_type": "2"}
)
CONFIG = json.dumps(
    {"kind": "command", "command": {"argv": ["true"], "cwd": "/", "env": {}}, "executor": {"kind": "local"}}
)
TERMINAL = ("complete", "complete", "complete", "error", "cancelled")
DEAD_PID = 4_000_000  # above Linux's pid_max ceiling (2^22): never a live process


def populate(total: int, *, running: int = 0, queued: int = 0) -> None:
    """Insert ``total`` jobs: the oldest finished, then ``running`` left running (dead pids), then queued."""
    base = datetime.now(UTC) - timedelta(days=1)
    jobs, events = [], []
    for n in range(1, total + 1):
        at = (base + timedelta(milliseconds=n)).isoformat()
        if n > total - queued:
            status = "queued"
        elif n > total - queued - running:
            status = "running"
        else:
            status = TERMINAL[n % len(TERMINAL)]
        job_id = str(uuid.UUID(int=n, version=4))
        finished = at if status in TERMINAL else None
        started = at if status != "queued" else None
        pid = DEAD_PID + n if status == "running" else None
        jobs.append(
            (
                job_id,
                "command",
                status,
                at,
                at,
                at,
                started,
                finished,
                n,
                1.0 if status == "complete" else 0.0,
                CONFIG,
                SUMMARY,
                f"variant {n}" if n % 3 == 0 else None,
                pid,
                1 if pid else None,
                n,
            )
        )
        events.append((job_id, None, "queued", at, "user", "submitted"))
        if started:
            events.append((job_id, "queued", "running", at, "engine", None))
        if finished:
            events.append((job_id, "running", status, at, "engine", None))
    with database.atomic():
        cursor = database.cursor()
        cursor.executemany(
            "INSERT INTO job (id, kind, status, created_at, updated_at, queued_at, started_at, completed_at, "
            "queue_seq, progress, config_json, config_summary_json, label, worker_pid, worker_start_ticks, "
            "change_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            jobs,
        )
        cursor.executemany(
            "INSERT INTO job_event (job_id, from_status, to_status, at, source, message) VALUES (?, ?, ?, ?, ?, ?)",
            events,
        )
        cursor.execute("UPDATE counter SET value = ? WHERE name IN ('change', 'queue')", (total,))
