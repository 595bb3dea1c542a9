"""kill -9 of the engine at random moments, and two engines racing for one HORNQ_HOME."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from engine.procs import group_members
from engine.run.recovery import INTERRUPTED
from engine.store import settings
from engine.store.lifecycle import ACTIVE, Status
from engine.store.models import Job
from tests.conftest import ROOT, Cli, EngineProcess, wait_for
from tests.reliability.invariants import check_all, starts

CYCLES = int(os.environ.get("HORNQ_STRESS_CYCLES", "50"))


def job_script(start_file: Path, kind: int) -> list[str]:
    """Mixed jobs: quick, progress-writing, failing and slower ones, each recording that it started."""
    body = {
        0: "true",
        1: "echo HORNQ_PROGRESS 0.3 a; echo HORNQ_PROGRESS 0.6 b; echo HORNQ_PROGRESS 0.9 c",
        2: "echo broken >&2; exit 3",
        3: "sleep 0.2; echo HORNQ_PROGRESS 0.5 half; sleep 0.2",
    }[kind]
    return ["sh", "-c", f'echo "$HORNQ_JOB_ID" >> {start_file}; {body}']


@pytest.mark.stress
def test_kill_9_of_the_engine_at_random_moments_loses_and_duplicates_nothing(
    cli: Cli, engine_process: EngineProcess, tmp_path: Path
) -> None:
    """Each cycle: start an engine, kill -9 it after a random delay (claiming, writing progress, storing
    results or pruning), then check every invariant. A final engine drains the queue."""
    rng = random.Random(20261123)
    start_file = tmp_path / "starts.txt"
    settings.set_value("max_concurrent_jobs", "2")
    settings.set_value("retention_max_jobs", "40")  # every start prunes
    submitted: list[str] = []
    interrupted_seen = 0
    for cycle in range(CYCLES):
        for _ in range(rng.randint(1, 4)):
            submitted.append(cli.submit_command(*job_script(start_file, rng.randrange(4))))
        running_before = {j.id for j in Job.select().where(Job.status == Status.RUNNING)}
        engine_process.start()
        left = Job.select().where(Job.id.in_(running_before) & (Job.status == Status.RUNNING))
        wait_for(lambda query=left: not query.exists(), timeout=30)
        engine_process.kill_after(rng.uniform(0.0, 0.35))
        problems = check_all(start_file)
        assert not problems, f"cycle {cycle}: {problems}"
        interrupted_seen += Job.select().where(Job.error_message == INTERRUPTED).count() > 0
    cli("engine", "--until-idle", timeout=300)
    assert not check_all(start_file)
    assert Job.select().where(Job.status.in_(list(ACTIVE))).count() == 0
    counts = starts(start_file)
    survivors = list(Job.select())
    assert all(counts[j.id] == 1 for j in survivors if j.status == Status.COMPLETE)
    assert interrupted_seen, "some kill should have landed while a job was running"
    leftovers = [pid for job in survivors if job.worker_pid for pid in group_members(job.worker_pid, 0)]
    assert leftovers == [], "no job process outlives recovery"


@pytest.mark.stress
def test_two_engines_started_at_once_never_claim_a_job_twice(cli: Cli, tmp_path: Path) -> None:
    start_file = tmp_path / "starts.txt"
    rounds = max(5, CYCLES // 5)
    for _ in range(rounds):
        ids = [cli.submit_command(*job_script(start_file, 0)) for _ in range(4)]
        engines = [
            subprocess.Popen(
                [sys.executable, "-m", "engine", "engine", "--until-idle"], cwd=ROOT, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        outcomes = [(e.wait(120), e.stderr.read()) for e in engines]
        refused = [err for code, err in outcomes if code == 8]
        assert all(code in (0, 8) for code, _ in outcomes), outcomes
        assert all("already running" in err and len(err.strip().splitlines()) == 1 for err in refused)
        assert all(Job.get_by_id(i).status == Status.COMPLETE for i in ids)
    counts = starts(start_file)
    assert set(counts.values()) == {1} and len(counts) == 4 * rounds
    assert not check_all(start_file)
