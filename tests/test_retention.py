"""Retention: finished jobs are pruned by age and by count, with their files; active jobs never."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.config.job import parse_config
from engine.paths import Home
from engine.store import jobs, lifecycle, retention, settings
from engine.store.lifecycle import Source, Status
from engine.store.models import Job, JobTombstone
from tests.conftest import Cli


def finished_job(home: Home, days_ago: float = 0, status: Status = Status.CANCELLED) -> str:
    job_id = jobs.submit(parse_config({"kind": "command", "command": {"argv": ["true"]}}, Path("."))).id
    if status is not Status.QUEUED:
        lifecycle.transition(job_id, status, source=Source.USER)
        when = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
        Job.update(completed_at=when).where(Job.id == job_id).execute()
    home.job_log(job_id).write_text("log")
    return job_id


def test_jobs_older_than_the_retention_age_are_pruned_with_their_logs(home: Home) -> None:
    old, recent = finished_job(home, days_ago=31), finished_job(home, days_ago=29)
    assert retention.prune(home) == [old]
    assert Job.get_or_none(Job.id == old) is None and not home.job_log(old).exists()
    assert Job.get_or_none(Job.id == recent) is not None
    assert JobTombstone.get_or_none(JobTombstone.job_id == old) is not None


def test_only_the_newest_finished_jobs_up_to_the_count_limit_are_kept(home: Home) -> None:
    settings.set_value("retention_max_jobs", "2")
    ids = [finished_job(home, days_ago=5 - n) for n in range(4)]
    queued = finished_job(home, status=Status.QUEUED)
    assert sorted(retention.prune(home)) == sorted(ids[:2])
    assert {j.id for j in Job.select()} == {ids[2], ids[3], queued}


def test_dry_run_lists_without_deleting(home: Home) -> None:
    old = finished_job(home, days_ago=40)
    assert retention.prune(home, dry_run=True) == [old]
    assert Job.get_or_none(Job.id == old) is not None and home.job_log(old).exists()


@pytest.mark.parametrize("status", [Status.QUEUED, Status.RUNNING])
def test_active_jobs_are_never_pruned(home: Home, status: Status) -> None:
    settings.set_value("retention_max_jobs", "1")
    job_id = finished_job(home, status=Status.QUEUED)
    if status is Status.RUNNING:
        lifecycle.transition(job_id, Status.RUNNING, source=Source.ENGINE)
    Job.update(created_at="2000-01-01T00:00:00+00:00").where(Job.id == job_id).execute()
    assert retention.prune(home) == []


def test_prune_cli_reports_counts(home: Home, cli: Cli) -> None:
    finished_job(home, days_ago=40)
    assert cli.json("prune", "--dry-run") == {"dry_run": True, "job_ids": [retention.prunable()[0]], "count": 1}
    assert cli.json("prune")["count"] == 1
    assert Job.select().count() == 0


def test_the_engine_prunes_at_start_without_holding_up_the_queue(home: Home, cli: Cli) -> None:
    old = [finished_job(home, days_ago=40) for _ in range(3)]
    job_id = cli.submit_command("true")
    cli("engine", "--until-idle")
    assert Job.get_by_id(job_id).status == "complete"
    assert not any(Job.get_or_none(Job.id == i) for i in old)
