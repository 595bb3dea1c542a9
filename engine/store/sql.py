"""The statements hornq writes by hand instead of through Peewee's query builder.

Why: on the hot paths (every submit, claim, progress report, end of a job, and the app's poll each second)
building a statement with Peewee cost about a millisecond, several times the statement itself
(``bench/README.md`` has the figures). Each one here runs with plain values (text, numbers, None); table
and column names come from the models, never from input. Everything else uses Peewee as usual.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from peewee import Field, Model

from engine.store.models import Counter, EngineLease, Job, JobEvent, JobResult, JobTombstone, Setting, database

JOB = Job._meta.table_name
_EVENT = (
    f"INSERT INTO {JobEvent._meta.table_name} (job_id, from_status, to_status, at, source, message) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


def update_row(
    model: type[Model], key: Any, values: Mapping[Field, Any], *, where: Mapping[Field, Any] | None = None
) -> int:
    """``UPDATE table SET field = value, … WHERE primary key = key [AND field = value …]``; returns rows changed."""
    where = where or {}
    guards = [f" AND {field.column_name} = ?" for field in where]
    return database.execute_sql(
        f"UPDATE {model._meta.table_name} SET {', '.join(f'{f.column_name} = ?' for f in values)} "
        f"WHERE {model._meta.primary_key.column_name} = ?{''.join(guards)}",
        [*(f.db_value(v) for f, v in values.items()), key, *(f.db_value(v) for f, v in where.items())],
    ).rowcount


def insert_jobs(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    database.cursor().executemany(
        f"INSERT INTO {JOB} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows
    )


def insert_events(rows: Iterable[Sequence[Any]]) -> None:
    """History rows: (job id, from status, to status, time, source, message)."""
    database.cursor().executemany(_EVENT, rows)


def job_status(job_id: str) -> str | None:
    row = database.execute_sql(f"SELECT status FROM {JOB} WHERE id = ?", (job_id,)).fetchone()
    return None if row is None else row[0]


def job_end_state(job_id: str) -> tuple[str, bool]:
    """(status, cancellation requested): what decides how a run's end is recorded."""
    status, requested = database.execute_sql(
        f"SELECT status, cancellation_requested FROM {JOB} WHERE id = ?", (job_id,)
    ).fetchone()
    return status, bool(requested)


def job_by_id(job_id: str) -> Job | None:
    return next(iter(Job.raw(f"SELECT * FROM {JOB} WHERE id = ?", job_id)), None)


def oldest_queued_local() -> str | None:
    """The id of the job the scheduler claims next (FIFO by queue position)."""
    row = database.execute_sql(
        f"SELECT id FROM {JOB} WHERE status = 'queued' AND executor = 'local' ORDER BY queue_seq LIMIT 1"
    ).fetchone()
    return None if row is None else row[0]


def data_version() -> int:
    """Moves whenever another connection commits: the engine's cheap "did anyone write?" check."""
    return database.execute_sql("PRAGMA data_version").fetchone()[0]


def change_counter() -> int:
    return database.execute_sql(f"SELECT value FROM {Counter._meta.table_name} WHERE name = 'change'").fetchone()[0]


def counts_of(statuses: Sequence[str]) -> dict[str, int]:
    return dict(
        database.execute_sql(
            f"SELECT status, COUNT(*) FROM {JOB} WHERE status IN ({', '.join('?' * len(statuses))}) GROUP BY status",
            tuple(statuses),
        ).fetchall()
    )


def jobs_changed_since(fields: Sequence[Field], seq: int) -> Iterable[Job]:
    columns = ", ".join(f.column_name for f in fields)
    return Job.raw(f"SELECT {columns} FROM {JOB} WHERE change_seq > ? ORDER BY change_seq", seq)


def deleted_since(seq: int) -> list[str]:
    return [
        job_id
        for (job_id,) in database.execute_sql(
            f"SELECT job_id FROM {JobTombstone._meta.table_name} WHERE change_seq > ?", (seq,)
        )
    ]


def setting_json(key: str) -> str | None:
    row = database.execute_sql(f"SELECT value_json FROM {Setting._meta.table_name} WHERE key = ?", (key,)).fetchone()
    return None if row is None else row[0]


def lease_row(lease_id: int) -> EngineLease | None:
    return next(iter(EngineLease.raw(f"SELECT * FROM {EngineLease._meta.table_name} WHERE id = ?", lease_id)), None)


def lease_held(lease_id: int, token: str) -> bool:
    return (
        database.execute_sql(
            f"SELECT 1 FROM {EngineLease._meta.table_name} WHERE id = ? AND token = ?", (lease_id, token)
        ).fetchone()
        is not None
    )


def put_results(job_id: str, results_json: str) -> None:
    database.execute_sql(
        f"INSERT OR REPLACE INTO {JobResult._meta.table_name} (job_id, results_json) VALUES (?, ?)",
        (job_id, results_json),
    )
