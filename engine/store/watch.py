"""What a client (the TUI) reads: a window of jobs, then only what changed since.

Every write to a job moves ``job.change_seq`` (and deletes leave a tombstone), so a poll is one
indexed range query however many jobs the database holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from engine.store import lease, settings, sql
from engine.store.lifecycle import Status
from engine.store.models import Job

WINDOW = 500
SORTS = {
    "created": Job.queue_seq,
    "status": Job.status,
    "label": Job.label,
    "kind": Job.kind,
    "progress": Job.progress,
    "started": Job.started_at,
}
FIELDS = (
    Job.id,
    Job.kind,
    Job.status,
    Job.progress,
    Job.stage,
    Job.stage_message,
    Job.error_message,
    Job.label,
    Job.created_at,
    Job.queued_at,
    Job.started_at,
    Job.completed_at,
    Job.config_summary_json,
    Job.has_results,
    Job.has_mesh_artifact,
    Job.executor,
    Job.change_seq,
    Job.queue_seq,
    Job.study_id,
    Job.study_values_json,
    Job.remaining_s,
    Job.remaining_at,
)


@dataclass(frozen=True)
class JobView:
    """An immutable snapshot of one job's listing fields."""

    id: str
    kind: str
    status: str
    progress: float
    stage: str | None
    stage_message: str | None
    error_message: str | None
    label: str | None
    created_at: str
    queued_at: str
    started_at: str | None
    completed_at: str | None
    summary: dict[str, Any]
    has_results: bool
    has_mesh_artifact: bool
    executor: str
    change_seq: int
    queue_seq: int
    study_id: str | None = None
    study_values: dict[str, Any] | None = None
    remaining_s: float | None = None
    remaining_at: str | None = None

    @classmethod
    def from_row(cls, row: Job) -> JobView:
        return cls(
            row.id,
            row.kind,
            row.status,
            row.progress,
            row.stage,
            row.stage_message,
            row.error_message,
            row.label,
            row.created_at,
            row.queued_at,
            row.started_at,
            row.completed_at,
            json.loads(row.config_summary_json),
            bool(row.has_results),
            bool(row.has_mesh_artifact),
            row.executor,
            row.change_seq,
            row.queue_seq,
            row.study_id,
            json.loads(row.study_values_json) if row.study_values_json else None,
            row.remaining_s,
            row.remaining_at,
        )

    def matches(self, statuses: frozenset[str], search: str) -> bool:
        if statuses and self.status not in statuses:
            return False
        if not search:
            return True
        needle = search.lower()
        haystack = f"{self.id} {self.label or ''} {self.kind} {json.dumps(self.summary)}".lower()
        return needle in haystack


@dataclass(frozen=True)
class EngineView:
    pid: int | None
    host: str | None
    running: int
    queued: int
    cap: int


@dataclass
class Snapshot:
    jobs: list[JobView]
    total: int
    seq: int
    engine: EngineView


@dataclass
class Delta:
    changed: list[JobView] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    seq: int = 0
    engine: EngineView | None = None


def current_seq() -> int:
    return sql.change_counter()


def engine_view() -> EngineView:
    info = lease.live_engine()
    counts = sql.counts_of((Status.RUNNING, Status.QUEUED))
    return EngineView(
        info.pid if info else None,
        info.host if info else None,
        counts.get(Status.RUNNING, 0),
        counts.get(Status.QUEUED, 0),
        settings.get("max_concurrent_jobs"),
    )


def _filtered(statuses: frozenset[str], search: str) -> Any:
    query = Job.select(*FIELDS)
    if statuses:
        query = query.where(Job.status.in_(sorted(statuses)))
    if search:
        query = query.where(
            Job.id.contains(search)
            | Job.label.contains(search)
            | Job.kind.contains(search)
            | Job.config_summary_json.contains(search)
        )
    return query


def snapshot(
    statuses: frozenset[str] = frozenset(),
    search: str = "",
    sort: str = "created",
    descending: bool = True,
    limit: int = WINDOW,
) -> Snapshot:
    """The first ``limit`` jobs matching the filter in the chosen order, with the total count."""
    seq = current_seq()
    query = _filtered(statuses, search)
    column = SORTS.get(sort, Job.queue_seq)
    order = [column.desc() if descending else column.asc(), Job.queue_seq.desc() if descending else Job.queue_seq.asc()]
    # Named tuples, not model instances: building 500 Peewee models was most of this call's time.
    rows = [JobView.from_row(row) for row in query.order_by(*order).limit(limit).namedtuples()]
    total = query.count() if len(rows) == limit else len(rows)
    return Snapshot(rows, total, seq, engine_view())


def changes_since(seq: int) -> Delta:
    """Jobs written and jobs deleted after change ``seq``; cheap when nothing changed."""
    now = current_seq()
    if now == seq:
        return Delta(seq=seq)
    changed = [JobView.from_row(row) for row in sql.jobs_changed_since(FIELDS, seq)]
    return Delta(changed, sql.deleted_since(seq), now)
