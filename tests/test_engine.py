"""The engine as a real process: FIFO, progress, logs, cancel, kill -9 and recovery, the lease, the cap."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from engine.paths import Home
from engine.procs import group_members, is_alive
from engine.run.recovery import INTERRUPTED
from engine.store import lease, settings
from engine.store.models import Job, JobEvent
from tests.conftest import ROOT, Cli, EngineProcess, wait_for

PROGRESS_SCRIPT = (
    "import sys, time\n"
    "name = sys.argv[1]\n"
    "open(sys.argv[2], 'a').write(f'start {name}\\n')\n"
    "for i in range(3):\n"
    "    print(f'HORNQ_PROGRESS {(i + 1) / 4} step {i + 1} of {name}', flush=True)\n"
    "    time.sleep(0.1)\n"
    "print(f'{name} says bye', file=sys.stderr)\n"
    "open(sys.argv[2], 'a').write(f'end {name}\\n')\n"
)


def test_three_jobs_run_one_after_another_in_fifo_order(cli: Cli, tmp_path: Path) -> None:
    trace = tmp_path / "trace.txt"
    ids = [cli.submit_command(sys.executable, "-c", PROGRESS_SCRIPT, name, str(trace)) for name in "abc"]
    cli("engine", "--until-idle")
    assert trace.read_text().split("\n")[:-1] == ["start a", "end a", "start b", "end b", "start c", "end c"]
    for job_id, name in zip(ids, "abc", strict=True):
        status = cli.json("status", job_id)
        assert status["status"] == "complete" and status["progress"] == 1.0
        log = cli("log", job_id).stdout
        assert f"HORNQ_PROGRESS 0.75 step 3 of {name}" in log and f"{name} says bye" in log
        moves = [(e["from"], e["to"]) for e in cli.json("history", job_id)["events"]]
        assert moves == [(None, "queued"), ("queued", "running"), ("running", "complete")]
    starts = [Job.get_by_id(i).started_at for i in ids]
    ends = [Job.get_by_id(i).completed_at for i in ids]
    assert ends[0] <= starts[1] and ends[1] <= starts[2]


def test_progress_lines_reach_the_database_while_the_job_runs(cli: Cli, engine_process: EngineProcess) -> None:
    script = "import time\nprint('HORNQ_PROGRESS 0.4 meshing done', flush=True)\ntime.sleep(60)\n"
    job_id = cli.submit_command(sys.executable, "-c", script)
    engine_process.start()
    wait_for(lambda: cli.json("status", job_id)["progress"] == 0.4)
    assert cli.json("status", job_id)["stage_message"] == "meshing done"
    cli("stop", job_id)
    wait_for(lambda: cli.status(job_id) == "cancelled")


def test_a_failing_command_is_an_error_with_exit_code_and_stderr(cli: Cli) -> None:
    job_id = cli.submit_command("sh", "-c", "echo 'mesh file missing' >&2; exit 3")
    cli("engine", "--until-idle")
    job = Job.get_by_id(job_id)
    assert (job.status, job.exit_code) == ("error", 3)
    assert job.error_message == "exit code 3: mesh file missing"


def test_a_program_that_does_not_exist_is_an_error_not_a_crash(cli: Cli) -> None:
    job_id = cli.submit_command("/nonexistent/solver")
    after = cli.submit_command("true")
    cli("engine", "--until-idle")
    assert Job.get_by_id(job_id).status == "error" and "cannot start" in Job.get_by_id(job_id).error_message
    assert Job.get_by_id(after).status == "complete"


def test_a_command_runs_in_its_own_process_group(cli: Cli) -> None:
    job_id = cli.submit_command(sys.executable, "-c", "import os; print('leader', os.getpgid(0) == os.getpid())")
    cli("engine", "--until-idle")
    assert "leader True" in cli("log", job_id).stdout


def test_stop_of_a_running_job_cancels_it_and_leaves_no_process(cli: Cli, engine_process: EngineProcess) -> None:
    job_id = cli.submit_command("sh", "-c", "sleep 300 & sleep 300; wait")
    engine_process.start()
    job = wait_for(lambda: (j := Job.get_by_id(job_id)).worker_pid and j)
    cli("stop", job_id)
    wait_for(lambda: cli.status(job_id) == "cancelled")
    assert not is_alive(job.worker_pid, job.worker_start_ticks)
    assert not _group_alive(job.worker_pid)
    last = JobEvent.select().where(JobEvent.job == job_id).order_by(JobEvent.id.desc()).first()
    assert (last.from_status, last.to_status, last.source) == ("running", "cancelled", "user")


def test_a_job_that_ignores_sigterm_is_killed_after_the_grace_period(cli: Cli, engine_process: EngineProcess) -> None:
    settings.set_value("cancel_grace_s", "0.5")
    job_id = cli.submit_command("sh", "-c", "trap '' TERM; echo ready; while true; do sleep 1; done")
    engine_process.start()
    job = wait_for(lambda: (j := Job.get_by_id(job_id)).worker_pid and j)
    cli("stop", job_id)
    wait_for(lambda: cli.status(job_id) == "cancelled")
    assert not _group_alive(job.worker_pid)


def test_kill_9_of_the_engine_marks_its_job_interrupted_and_the_queue_goes_on(
    cli: Cli, engine_process: EngineProcess, tmp_path: Path
) -> None:
    running = cli.submit_command("sleep", "300")
    queued = [cli.submit_command("sh", "-c", f"echo {n} >> {tmp_path / 'ran'}") for n in (1, 2)]
    engine_process.start()
    job = wait_for(lambda: (j := Job.get_by_id(running)).worker_pid and j)
    engine_process.kill9()
    assert is_alive(job.worker_pid, job.worker_start_ticks), "the job's process outlives the engine"
    assert [Job.get_by_id(i).status for i in queued] == ["queued", "queued"]

    cli("engine", "--until-idle")
    after = Job.get_by_id(running)
    assert (after.status, after.error_message) == ("error", INTERRUPTED)
    assert not is_alive(job.worker_pid, job.worker_start_ticks)
    last = JobEvent.select().where(JobEvent.job == running).order_by(JobEvent.id.desc()).first()
    assert last.source == "recovery"
    assert (tmp_path / "ran").read_text() == "1\n2\n"


def test_recovery_never_kills_a_recycled_pid(cli: Cli, home: Home) -> None:
    bystander = subprocess.Popen(["sleep", "300"], start_new_session=True)
    try:
        job_id = cli.submit_command("true")
        from engine.store import jobs, lifecycle
        from engine.store.lifecycle import Source, Status

        lifecycle.transition(job_id, Status.RUNNING, source=Source.ENGINE)
        jobs.update_job(job_id, worker_pid=bystander.pid, worker_start_ticks=1)  # same pid, other start time
        cli("engine", "--until-idle")
        assert Job.get_by_id(job_id).status == "error"
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


def test_a_second_engine_is_refused_while_the_first_is_live(cli: Cli, engine_process: EngineProcess) -> None:
    first = engine_process.start()
    second = cli("engine", check=False)
    assert second.returncode == 8 and f"already running for this HORNQ_HOME (pid {first.pid}" in second.stderr


def test_a_stale_lease_of_a_dead_engine_is_taken_over(cli: Cli, engine_process: EngineProcess) -> None:
    engine_process.start()
    engine_process.kill9()
    assert lease.current() is not None and not lease.current().live
    job_id = cli.submit_command("true")
    cli("engine", "--until-idle")
    assert cli.status(job_id) == "complete"


def test_a_raised_concurrency_cap_is_picked_up_without_restart(
    cli: Cli, engine_process: EngineProcess, tmp_path: Path
) -> None:
    ids = [cli.submit_command("sleep", "300") for _ in range(3)]
    engine_process.start()
    wait_for(lambda: cli.status(ids[0]) == "running")
    assert [cli.status(i) for i in ids[1:]] == ["queued", "queued"]
    cli("config", "set", "max_concurrent_jobs", "3")
    wait_for(lambda: all(cli.status(i) == "running" for i in ids))
    cli("stop", *ids)
    wait_for(lambda: all(cli.status(i) == "cancelled" for i in ids))


def test_engine_stop_cancels_running_jobs_and_releases_the_lease(cli: Cli, engine_process: EngineProcess) -> None:
    job_id = cli.submit_command("sleep", "300")
    queued = cli.submit_command("true")
    engine_process.start()
    wait_for(lambda: cli.status(job_id) == "running")
    cli("engine", "stop")
    assert engine_process.proc.wait(30) == 0
    assert cli.status(job_id) == "cancelled" and cli.status(queued) == "queued"
    assert lease.live_engine() is None


def test_engine_stop_drain_lets_running_jobs_finish(
    cli: Cli, engine_process: EngineProcess, home: Home, tmp_path: Path
) -> None:
    go = tmp_path / "go"
    job_id = cli.submit_command("sh", "-c", f"while [ ! -e {go} ]; do sleep 0.05; done; echo done")
    queued = cli.submit_command("true")
    engine_process.start()
    wait_for(lambda: cli.status(job_id) == "running")
    stopping = subprocess.Popen([sys.executable, "-m", "engine", "engine", "stop", "--drain"], cwd=ROOT)
    wait_for(lambda: "stop requested (drain)" in (home.root / "test-engine.log").read_text())
    go.touch()  # the running job may finish only now that the engine has stopped taking new jobs
    assert stopping.wait(60) == 0
    assert cli.status(job_id) == "complete" and cli.status(queued) == "queued"


def test_engine_start_detaches_and_status_reports_it(cli: Cli, home: Home) -> None:
    started = cli("engine", "start")
    try:
        info = lease.live_engine()
        assert info is not None and f"pid {info.pid}" in started.stdout
        assert os.getsid(info.pid) == info.pid, "the engine leads its own session"
        status = cli.json("engine", "status")
        assert status["running"] is True and status["pid"] == info.pid
        assert {"uptime_s", "jobs_running", "jobs_queued", "max_concurrent_jobs"} <= set(status)
    finally:
        cli("engine", "stop")
    assert cli("engine", "status", check=False).returncode == 1


def test_submit_starts_a_background_engine_when_none_is_alive(cli: Cli, home: Home) -> None:
    result = cli("run", "--", "true")
    job_id = result.stdout.strip()
    try:
        assert "started the engine" in result.stderr
        wait_for(lambda: cli.status(job_id) == "complete")
    finally:
        wait_for(lambda: lease.live_engine() is not None)
        cli("engine", "stop")


def _group_alive(pgid: int) -> bool:
    """Any live (non-zombie) process left in the job's process group."""
    return bool(group_members(pgid, 0))


def test_the_engine_package_imports_without_textual() -> None:
    blocker = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('textual', 'tui', 'textual_plotext', 'plotext'):\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import pkgutil, importlib, engine\n"
        "for mod in pkgutil.walk_packages(engine.__path__, 'engine.'):\n"
        "    mod.name.endswith('__main__') or importlib.import_module(mod.name)\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", blocker], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == "ok", result.stderr


def test_queue_commands_do_not_load_heavy_modules(home: Home) -> None:
    probe = (
        "import sys\n"
        "from engine.cli.main import main\n"
        "main(['run', '--no-start', '--', 'true'])\n"
        "main(['jobs', '--json'])\n"
        "heavy = sorted(m for m in ('numpy', 'textual', 'gmsh', 'bempp_cl', 'asyncio') if m in sys.modules)\n"
        "print('heavy:', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert "heavy: []" in result.stderr, result.stderr


def test_sigterm_to_a_foreground_engine_stops_gracefully(cli: Cli, engine_process: EngineProcess) -> None:
    job_id = cli.submit_command("sleep", "300")
    proc = engine_process.start()
    wait_for(lambda: cli.status(job_id) == "running")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    last = JobEvent.select().where(JobEvent.job == job_id).order_by(JobEvent.id.desc()).first()
    assert (last.to_status, last.source, last.message) == ("cancelled", "engine", "cancelled: the engine was stopped")


def test_on_finish_runs_the_hook_as_argv_with_the_job_fields(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "hook.txt"
    writer = "import sys; open(sys.argv[1], 'a').write('|'.join(sys.argv[2:]) + '\\n')"
    cli("config", "set", "on_finish", f'{sys.executable} -c "{writer}" {out} {{status}} {{label}} {{short_id}}')
    job_id = cli.submit_command("false", label="x; touch pwned $(id)")
    cli("engine", "--until-idle")
    wait_for(lambda: out.exists() and out.read_text())
    assert out.read_text() == f"error|x; touch pwned $(id)|{job_id[:8]}\n"
    assert not (ROOT / "pwned").exists()


def test_on_finish_refuses_unknown_placeholders(cli: Cli) -> None:
    result = cli("config", "set", "on_finish", "notify-send {job}", check=False)
    assert result.returncode == 3 and "unknown placeholder" in result.stderr
