"""Partial results through the engine and the CLI: kept when a solver job ends without complete results, never
as its results, and a stop that outlives the grace period ends the job at once while its worker stays warm."""

from __future__ import annotations

import time
from pathlib import Path

from engine.procs import is_alive
from engine.store import settings
from engine.store.models import Job, JobResult
from tests.conftest import Cli, EngineProcess, wait_for
from tests.test_workers import submit_steps

CONFLICT = 6
STEP_S = 3.0


def test_a_failed_solver_job_keeps_what_it_solved_as_partial_results(cli: Cli, tmp_path: Path) -> None:
    failing = submit_steps(cli, tmp_path, "failing", mode="raise")
    cli("engine", "--until-idle")
    job = Job.get_by_id(failing)
    assert (job.status, job.has_results) == ("error", False)
    assert cli.json("results", failing, "--partial")["partial"] == {"solved": 1, "of": 3}


def test_results_of_a_job_with_only_partial_results_are_refused_with_a_pointer_to_partial(
    cli: Cli, tmp_path: Path
) -> None:
    failing = submit_steps(cli, tmp_path, "failing", mode="segfault")
    cli("engine", "--until-idle")
    refused = cli("results", failing, check=False)
    assert refused.returncode == CONFLICT
    assert refused.stderr.count("\n") == 1 and f"hornq results {failing[:8]} --partial" in refused.stderr
    assert "1 of 3 frequencies" in refused.stderr


def test_a_job_without_any_solved_step_has_no_partial_results(cli: Cli, tmp_path: Path) -> None:
    queued = submit_steps(cli, tmp_path, "queued")
    cli("stop", queued)
    refused = cli("results", queued, "--partial", check=False)
    assert refused.returncode == CONFLICT and "no frequency solved" in refused.stderr


def test_a_complete_job_answers_partial_with_its_results(cli: Cli, tmp_path: Path) -> None:
    done = submit_steps(cli, tmp_path, "done")
    cli("engine", "--until-idle")
    assert cli.json("results", done, "--partial") == cli.json("results", done)


def test_a_stop_past_the_grace_period_ends_the_job_at_once_and_the_worker_rejoins_warm(
    cli: Cli, engine_process: EngineProcess, tmp_path: Path
) -> None:
    settings.set_value("cancel_grace_s", "0.3")
    slow = submit_steps(cli, tmp_path, "slow", steps=4, step_s=STEP_S)
    engine_process.start()
    wait_for(lambda: Job.get_by_id(slow).progress > 0.2, timeout=60)
    stopped = time.monotonic()
    cli("stop", slow)
    wait_for(lambda: cli.status(slow) == "cancelled")
    assert time.monotonic() - stopped < STEP_S, "recorded before the step in progress ends"
    worker = Job.get_by_id(slow)
    assert is_alive(worker.worker_pid, worker.worker_start_ticks), "the worker finishes its step in the background"
    assert JobResult.get_or_none(JobResult.job == slow) is None
    time.sleep(STEP_S)  # the step ends, the solver stops and its worker rejoins the pool
    after = submit_steps(cli, tmp_path, "after")
    wait_for(lambda: cli.status(after) == "complete", timeout=60)
    assert Job.get_by_id(after).worker_pid == worker.worker_pid
