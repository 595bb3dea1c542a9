"""The lifecycle: allowed moves write history with the row; anything else changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.config.job import parse_config
from engine.errors import IllegalTransition
from engine.paths import Home
from engine.store import jobs, lifecycle
from engine.store.lifecycle import ALLOWED, TERMINAL, Source, Status
from engine.store.models import Job, JobEvent


def queued_job() -> str:
    spec = parse_config({"kind": "command", "command": {"argv": ["true"]}}, Path("."))
    return jobs.submit(spec).id


def walk_to(job_id: str, status: Status) -> None:
    path = {
        Status.QUEUED: [],
        Status.RUNNING: [Status.RUNNING],
        Status.COMPLETE: [Status.RUNNING, Status.COMPLETE],
        Status.ERROR: [Status.RUNNING, Status.ERROR],
        Status.CANCELLED: [Status.CANCELLED],
    }[status]
    for step in path:
        lifecycle.transition(job_id, step, source=Source.ENGINE)


def events(job_id: str) -> list[tuple[str | None, str, str]]:
    return [
        (e.from_status, e.to_status, e.source)
        for e in JobEvent.select().where(JobEvent.job == job_id).order_by(JobEvent.id)
    ]


def test_submission_writes_the_first_history_row(home: Home) -> None:
    job_id = queued_job()
    assert events(job_id) == [(None, "queued", "user")]


def test_every_allowed_transition_updates_the_row_and_writes_history(home: Home) -> None:
    for current, targets in ALLOWED.items():
        for target in targets:
            job_id = queued_job()
            walk_to(job_id, current)
            before = len(events(job_id))
            lifecycle.transition(job_id, target, source=Source.USER, message="why")
            job = Job.get_by_id(job_id)
            assert job.status == target
            assert events(job_id)[before:] == [(current, target, "user")]
            if target in TERMINAL:
                assert job.completed_at is not None


@pytest.mark.parametrize("start", list(Status))
def test_a_disallowed_transition_raises_and_changes_nothing(home: Home, start: Status) -> None:
    job_id = queued_job()
    walk_to(job_id, start)
    before = (Job.get_by_id(job_id).change_seq, events(job_id))
    for target in set(Status) - ALLOWED.get(start, frozenset()):
        with pytest.raises(IllegalTransition):
            lifecycle.transition(job_id, target, source=Source.USER)
    assert (Job.get_by_id(job_id).change_seq, events(job_id)) == before


def test_terminal_states_allow_no_transition_at_all() -> None:
    assert all(status not in ALLOWED for status in TERMINAL)


def test_expect_guards_against_a_state_the_caller_did_not_see(home: Home) -> None:
    job_id = queued_job()
    lifecycle.transition(job_id, Status.RUNNING, source=Source.ENGINE)
    with pytest.raises(IllegalTransition):
        lifecycle.transition(job_id, Status.CANCELLED, source=Source.USER, expect=Status.QUEUED)
    assert Job.get_by_id(job_id).status == Status.RUNNING


def test_every_write_moves_the_change_counter(home: Home) -> None:
    job_id = queued_job()
    seen = [Job.get_by_id(job_id).change_seq]
    jobs.update_job(job_id, progress=0.5)
    seen.append(Job.get_by_id(job_id).change_seq)
    lifecycle.transition(job_id, Status.CANCELLED, source=Source.USER)
    seen.append(Job.get_by_id(job_id).change_seq)
    assert seen == sorted(set(seen))
