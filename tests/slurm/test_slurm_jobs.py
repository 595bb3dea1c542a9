"""Command and solver jobs through a real SLURM: submission, states, cancel, restarts, jobs killed outside hornq."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from engine.paths import Home
from engine.run.slurm.jobdir import JobDir
from engine.store import jobs, lifecycle
from engine.store.lifecycle import Source, Status
from tests.conftest import Cli, EngineProcess, wait_for
from tests.slurm.helpers import command_config, history, job, slurm_field, slurm_state

pytestmark = pytest.mark.slurm
WAIT_S = 90.0


def test_a_command_job_runs_through_slurm_to_complete_with_its_results(slurm_home: Home, cli: Cli) -> None:
    job_id = cli(
        "run",
        "--no-start",
        "--executor",
        "slurm",
        "--",
        "sh",
        "-c",
        "echo HORNQ_PROGRESS 0.5 half way; echo out-line; sleep 1",
    ).stdout.strip()
    cli("engine", "--until-idle", timeout=WAIT_S)

    done = job(job_id)
    assert (done.status, done.executor, done.has_results, done.exit_code) == ("complete", "slurm", True, 0)
    assert re.fullmatch(r"\d+", done.external_id)
    assert slurm_state(done.external_id) == "COMPLETED"
    assert cli.json("results", job_id) == {
        "job_id": job_id,
        "kind": "command",
        "exit_code": 0,
        "duration_s": pytest.approx(1.0, abs=0.9),
    }
    steps = history(job_id)
    assert [(to, source) for _, to, source, _ in steps] == [
        ("queued", "user"),
        ("running", "slurm"),
        ("complete", "slurm"),
    ]
    assert steps[1][3] == f"SLURM job {done.external_id} started on {_node()}"
    assert "out-line" in cli("log", job_id).stdout
    assert not JobDir.of(slurm_home, job_id).exists(), "the job directory is removed once the results are in"


def test_a_failing_command_job_is_an_error_with_its_exit_code_and_stderr(slurm_home: Home, cli: Cli) -> None:
    job_id = cli(
        "run", "--no-start", "--executor", "slurm", "--", "sh", "-c", "echo mesh is not closed >&2; exit 3"
    ).stdout.strip()
    cli("engine", "--until-idle", timeout=WAIT_S)

    failed = job(job_id)
    assert (failed.status, failed.exit_code) == ("error", 3)
    assert failed.error_message == f"SLURM job {failed.external_id} failed: exit code 3: mesh is not closed"
    assert slurm_state(failed.external_id) == "FAILED"
    assert history(job_id)[-1][2] == "slurm"


def test_a_submission_slurm_refuses_is_an_error_in_slurms_words(slurm_home: Home, cli: Cli, tmp_path: Path) -> None:
    config = command_config(tmp_path / "job.toml", ["true"], executor='partition = "nosuch"\n')
    job_id = cli("submit", "--no-start", str(config)).stdout.strip()
    cli("engine", "--until-idle", timeout=WAIT_S)

    refused = job(job_id)
    assert (refused.status, refused.external_id) == ("error", None)
    assert refused.error_message.startswith("SLURM refused the job: sbatch: error: invalid partition specified: nosuch")
    assert "\n" not in refused.error_message


def test_stopping_a_running_slurm_job_scancels_it_and_it_ends_cancelled(
    slurm_home: Home, cli: Cli, engine_process: EngineProcess
) -> None:
    job_id = cli("run", "--no-start", "--executor", "slurm", "--", "sleep", "300").stdout.strip()
    engine_process.start()
    wait_for(lambda: job(job_id).status == "running", WAIT_S)

    cli("stop", job_id)
    wait_for(lambda: job(job_id).status == "cancelled", WAIT_S)
    assert slurm_state(job(job_id).external_id) == "CANCELLED"
    _, to, source, message = history(job_id)[-1]
    assert (to, source) == ("cancelled", "slurm") and message.startswith("cancelled by user")


def test_a_job_pending_behind_an_exclusive_one_is_queued_with_the_slurm_reason(
    slurm_home: Home, cli: Cli, engine_process: EngineProcess, tmp_path: Path
) -> None:
    exclusive = 'sbatch_options = ["--exclusive"]\n'
    first = cli("submit", "--no-start", str(command_config(tmp_path / "a.toml", ["sleep", "6"], executor=exclusive)))
    second = cli("submit", "--no-start", str(command_config(tmp_path / "b.toml", ["true"], executor=exclusive)))
    first_id, second_id = first.stdout.strip(), second.stdout.strip()
    engine_process.start()

    wait_for(lambda: job(first_id).status == "running", WAIT_S)
    # Until SLURM's scheduler first looks at it, a new job is pending with no reason yet.
    waiting = wait_for(lambda: (j := job(second_id)).stage_message and "(" in j.stage_message and j, WAIT_S)
    assert (waiting.status, waiting.stage) == ("queued", "pending")
    assert re.fullmatch(rf"SLURM {waiting.external_id}: pending \((Resources|Priority)\)", waiting.stage_message)
    assert cli.json("status", second_id)["stage_message"] == waiting.stage_message

    wait_for(lambda: job(second_id).status == "complete", WAIT_S)
    assert job(first_id).status == "complete"
    first_ended = slurm_field(job(first_id).external_id, "EndTime")
    assert slurm_field(job(second_id).external_id, "StartTime") >= first_ended, "SLURM ran them one after the other"


@pytest.mark.parametrize("how", ["stop", "kill -9"])
def test_an_engine_restart_does_not_interrupt_a_slurm_job_and_its_results_arrive(
    slurm_home: Home, cli: Cli, engine_process: EngineProcess, tmp_path: Path, how: str
) -> None:
    config = tmp_path / "steps.toml"
    config.write_text('kind = "steps"\nsteps = 8\nstep_s = 1.0\n[executor]\nkind = "slurm"\n')
    job_id = cli("submit", "--no-start", str(config)).stdout.strip()
    engine_process.start()
    running = wait_for(lambda: (j := job(job_id)).status == "running" and j.progress > 0 and j, WAIT_S)
    assert running.stage == "bem_solve" and running.stage_message.startswith("step ")

    engine_process.stop() if how == "stop" else engine_process.kill9()
    assert slurm_state(running.external_id) == "RUNNING", "the SLURM job outlives the engine"
    assert job(job_id).status == "running"

    cli("engine", "--until-idle", timeout=WAIT_S)
    done = job(job_id)
    assert (done.status, done.external_id, done.has_results, done.has_mesh_artifact) == (
        "complete",
        running.external_id,
        True,
        True,
    )
    assert jobs.results(job_id)["steps"] == 8
    assert "$MeshFormat" in jobs.artifact(job_id, "mesh.msh")
    assert [source for _, _, source, _ in history(job_id)] == ["user", "slurm", "slurm"], "never marked interrupted"


def test_a_slurm_job_cancelled_behind_hornqs_back_ends_cancelled_with_the_reason(
    slurm_home: Home, cli: Cli, engine_process: EngineProcess
) -> None:
    # Cancelled, not error: SLURM's own final state says a person chose to stop the job, and hornq's
    # states already have one for that; the message says it happened outside hornq.
    job_id = cli("run", "--no-start", "--executor", "slurm", "--", "sleep", "300").stdout.strip()
    engine_process.start()
    slurm_id = wait_for(lambda: (j := job(job_id)).status == "running" and j.external_id, WAIT_S)

    subprocess.run(["scancel", slurm_id], check=True, timeout=30)
    wait_for(lambda: job(job_id).status == "cancelled", WAIT_S)
    _, to, source, message = history(job_id)[-1]
    assert (to, source) == ("cancelled", "slurm")
    assert message == (
        f"SLURM job {slurm_id} was cancelled outside hornq (SLURM says CANCELLED, "
        "e.g. scancel by a user or an administrator)"
    )


def test_a_slurm_job_that_vanished_without_a_final_state_is_an_error(slurm_home: Home, cli: Cli) -> None:
    job_id = cli.submit_command("true")
    jobs.update_job(job_id, executor="slurm", external_id="999999")  # an id this cluster never issued
    lifecycle.transition(job_id, Status.RUNNING, source=Source.ENGINE)
    cli("engine", "--until-idle", timeout=WAIT_S)

    gone = job(job_id)
    assert gone.status == "error"
    assert gone.error_message == (
        "SLURM job 999999 vanished without a final state (squeue, scontrol and sacct no longer know it)"
    )


def test_a_queued_job_cancelled_while_pending_in_slurm_is_scancelled_there(
    slurm_home: Home, cli: Cli, engine_process: EngineProcess, tmp_path: Path
) -> None:
    exclusive = 'sbatch_options = ["--exclusive"]\n'
    blocker = cli(
        "submit", "--no-start", str(command_config(tmp_path / "a.toml", ["sleep", "300"], executor=exclusive))
    ).stdout.strip()
    pending = cli(
        "submit", "--no-start", str(command_config(tmp_path / "b.toml", ["true"], executor=exclusive))
    ).stdout.strip()
    engine_process.start()
    wait_for(lambda: job(blocker).status == "running", WAIT_S)
    slurm_id = wait_for(lambda: (j := job(pending)).stage == "pending" and j.external_id, WAIT_S)
    assert slurm_state(slurm_id) == "PENDING"

    cli("stop", pending)
    assert job(pending).status == "cancelled"
    wait_for(lambda: slurm_state(slurm_id) == "CANCELLED", WAIT_S)
    wait_for(lambda: not JobDir.of(slurm_home, pending).exists(), WAIT_S)
    assert job(blocker).status == "running"


def _node() -> str:
    return subprocess.run(["hostname", "-s"], capture_output=True, text=True, check=True).stdout.strip()
