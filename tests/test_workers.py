"""Solver jobs in warm worker processes: reuse, results, cancel, and every way a worker can die."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.procs import is_alive
from engine.store import settings
from engine.store.models import Job, JobArtifact, JobResult
from tests.conftest import Cli, EngineProcess, wait_for


def submit_steps(cli: Cli, tmp_path: Path, name: str = "job", **config: object) -> str:
    lines = ['kind = "steps"'] + [f"{k} = {json.dumps(v)}" for k, v in config.items()]
    path = tmp_path / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n")
    return cli("submit", "--no-start", str(path)).stdout.strip()


def test_solver_jobs_store_results_and_artifacts_and_share_a_warm_worker(cli: Cli, tmp_path: Path) -> None:
    first, second = submit_steps(cli, tmp_path, "a"), submit_steps(cli, tmp_path, "b")
    cli("engine", "--until-idle")
    jobs = [Job.get_by_id(first), Job.get_by_id(second)]
    assert [j.status for j in jobs] == ["complete", "complete"]
    assert all(j.has_results and j.has_mesh_artifact for j in jobs)
    assert jobs[0].worker_pid == jobs[1].worker_pid, "the second job reuses the first job's worker"
    assert cli.json("results", first)["worker_pid"] == jobs[0].worker_pid
    assert JobArtifact.get(JobArtifact.job == first).name == "mesh.msh"
    out = tmp_path / "out.msh"
    cli("mesh", first, "-o", str(out))
    assert out.read_text().startswith("$MeshFormat")
    assert "steps solver in pid" in cli("log", first).stdout


def test_a_cancelled_solver_job_stops_between_steps_and_keeps_its_worker(
    cli: Cli, engine_process: EngineProcess, tmp_path: Path
) -> None:
    slow = submit_steps(cli, tmp_path, "slow", steps=200, step_s=0.1)
    engine_process.start()
    wait_for(lambda: Job.get_by_id(slow).progress > 0)
    cli("stop", slow)
    wait_for(lambda: cli.status(slow) == "cancelled")
    worker = Job.get_by_id(slow)
    assert is_alive(worker.worker_pid, worker.worker_start_ticks), "a cooperative stop keeps the warm worker"
    assert JobResult.get_or_none(JobResult.job == slow) is None
    after = submit_steps(cli, tmp_path, "after")
    wait_for(lambda: cli.status(after) == "complete")
    assert Job.get_by_id(after).worker_pid == worker.worker_pid


def test_a_hung_solver_is_killed_when_the_next_job_has_waited_a_grace_period_for_it(
    cli: Cli, engine_process: EngineProcess, tmp_path: Path
) -> None:
    settings.set_value("cancel_grace_s", "0.5")
    hung = submit_steps(cli, tmp_path, "hung", mode="hang")
    engine_process.start()
    wait_for(lambda: Job.get_by_id(hung).progress > 0.3)
    cli("stop", hung)
    wait_for(lambda: cli.status(hung) == "cancelled")
    dead = Job.get_by_id(hung)
    after = submit_steps(cli, tmp_path, "after")
    wait_for(lambda: cli.status(after) == "complete")
    assert not is_alive(dead.worker_pid, dead.worker_start_ticks)
    assert Job.get_by_id(after).worker_pid != dead.worker_pid


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("raise", "ValueError: the steps solver was told to fail"),
        ("segfault", "the solver worker died (killed by SIGSEGV)"),
        ("sigkill", "the solver worker died (killed by SIGKILL (out of memory?))"),
    ],
)
def test_a_failing_solver_ends_in_error_and_the_engine_goes_on(
    cli: Cli, tmp_path: Path, mode: str, message: str
) -> None:
    failing = submit_steps(cli, tmp_path, "failing", mode=mode)
    after = submit_steps(cli, tmp_path, "after")
    cli("engine", "--until-idle")
    job = Job.get_by_id(failing)
    assert (job.status, job.error_message) == ("error", message)
    assert not job.has_results
    assert cli.status(after) == "complete"


def test_a_solver_over_the_worker_memory_limit_ends_in_error_and_the_next_job_runs(cli: Cli, tmp_path: Path) -> None:
    settings.set_value("worker_memory_mb", "400")
    greedy = submit_steps(cli, tmp_path, "greedy", mode="memory")
    after = submit_steps(cli, tmp_path, "after")
    cli("engine", "--until-idle")
    assert (cli.status(greedy), Job.get_by_id(greedy).error_message) == ("error", "the solver ran out of memory")
    assert cli.status(after) == "complete"


def test_a_job_running_past_the_timeout_setting_ends_in_error(cli: Cli, tmp_path: Path) -> None:
    settings.set_value("job_timeout_s", "1")
    settings.set_value("cancel_grace_s", "0.5")
    slow = submit_steps(cli, tmp_path, "slow", mode="hang")
    cli("engine", "--until-idle")
    job = Job.get_by_id(slow)
    assert (job.status, job.error_message) == ("error", "timed out after 1 s")


def test_progress_from_the_solver_reaches_the_database(cli: Cli, engine_process: EngineProcess, tmp_path: Path) -> None:
    slow = submit_steps(cli, tmp_path, "slow", steps=100, step_s=0.1)
    engine_process.start()
    status = wait_for(lambda: (s := cli.json("status", slow))["stage"] == "bem_solve" and s)
    assert status["stage_message"].startswith("step ") and status["stage_message"].endswith("/100")
    cli("stop", slow)
    wait_for(lambda: cli.status(slow) == "cancelled")
