"""Queueing a batch: in order, each with its history row, and all or none."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.config.job import parse_config
from engine.paths import Home
from engine.store import jobs
from engine.store.models import Job, JobEvent


def spec(label: str, cwd: Path):
    return parse_config({"kind": "command", "command": {"argv": ["true"]}}, cwd, label=label)


def test_a_batch_is_queued_in_order_after_earlier_jobs_with_one_history_row_each(home: Home) -> None:
    first = jobs.submit(spec("before", home.root))
    ids = jobs.submit_many([spec(f"job {n}", home.root) for n in range(3)])
    queued = list(Job.select().order_by(Job.queue_seq))
    assert [job.id for job in queued] == [first.id, *ids]
    assert [job.label for job in queued] == ["before", "job 0", "job 1", "job 2"]
    assert {job.status for job in queued} == {"queued"}
    assert len({job.change_seq for job in queued}) == 4
    for job_id in ids:
        assert [(e["from"], e["to"]) for e in jobs.transitions(job_id)] == [(None, "queued")]


def test_a_batch_that_fails_midway_queues_nothing(home: Home) -> None:
    taken = jobs.submit(spec("taken", home.root)).id
    batch = [jobs._row(spec("new", home.root), "local"), jobs._row(spec("clash", home.root), "local", job_id=taken)]
    with pytest.raises(Exception, match="UNIQUE"):
        jobs.lifecycle.enqueue_many(batch)
    assert Job.select().count() == 1
    assert JobEvent.select().count() == 1
