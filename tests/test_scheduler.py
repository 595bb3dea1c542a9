"""Claiming: FIFO by queue order, and only by the engine that holds the lease."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.config.job import parse_config
from engine.paths import Home
from engine.run.scheduler import LeaseLost, claim_next
from engine.store import jobs, lease, lifecycle
from engine.store.lifecycle import Source, Status


def queued(n: int) -> list[str]:
    spec = parse_config({"kind": "command", "command": {"argv": ["true"]}}, Path("."))
    return [jobs.submit(spec).id for _ in range(n)]


def test_claims_follow_queue_order_and_skip_cancelled_jobs(home: Home) -> None:
    ids = queued(4)
    lifecycle.transition(ids[1], Status.CANCELLED, source=Source.USER)
    lease.acquire("me")
    claimed = [claim_next("me").id for _ in range(3)]
    assert claimed == [ids[0], ids[2], ids[3]]
    assert claim_next("me") is None


def test_an_engine_without_the_lease_cannot_claim(home: Home) -> None:
    ids = queued(1)
    lease.acquire("owner")
    with pytest.raises(LeaseLost):
        claim_next("intruder")
    assert jobs.resolve(ids[0]).status == "queued"


def test_a_claimed_job_records_who_started_it(home: Home) -> None:
    job_id = queued(1)[0]
    lease.acquire("me")
    job = claim_next("me")
    assert (job.id, job.status, job.stage) == (job_id, "running", "starting")
    assert [e["source"] for e in jobs.transitions(job_id)] == ["user", "engine"]
