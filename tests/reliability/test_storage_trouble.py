"""Storage trouble: a lock held past the busy timeout, a read-only home, a full disk, a damaged file."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.paths import Home
from engine.store.db import open_database
from engine.store.models import Job
from tests.conftest import PLUGINS, ROOT, Cli, EngineProcess, wait_for
from tests.reliability.invariants import check_all

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a filesystem needs root")


def hold_write_lock(db_path: Path, seconds: float) -> threading.Thread:
    """Another process-like connection takes the write lock and keeps it."""
    ready = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(db_path, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        ready.set()
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    ready.wait(10)
    return thread


def test_a_lock_held_past_the_busy_timeout_is_one_clear_error_and_writes_nothing(
    cli: Cli, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HORNQ_BUSY_TIMEOUT_S", "0.3")
    holder = hold_write_lock(home.db_path, 2.0)
    result = cli("run", "--no-start", "--", "true", check=False)
    holder.join()
    assert result.returncode == 7 and result.stderr.count("\n") == 1
    assert "database is locked" in result.stderr and "nothing was changed" in result.stderr
    assert Job.select().count() == 0


def test_the_engine_rides_out_a_long_lock_and_finishes_its_job(
    cli: Cli, engine_process: EngineProcess, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HORNQ_BUSY_TIMEOUT_S", "0.2")
    job_id = cli.submit_command("sh", "-c", "sleep 1.5; echo done")
    engine_process.start()
    wait_for(lambda: cli.status(job_id) == "running")
    holder = hold_write_lock(home.db_path, 3.0)  # the job ends while the database refuses writes
    holder.join()
    wait_for(lambda: cli.status(job_id) == "complete", timeout=60)
    assert engine_process.proc.poll() is None, "the engine is still running"
    assert not check_all()


@pytest.fixture
def mounted(tmp_path: Path) -> Iterator[Path]:
    """A mount point; whatever the test mounts at or below it is unmounted afterwards."""
    mount_point = tmp_path / "mnt"
    mount_point.mkdir()
    yield mount_point
    table = Path("/proc/mounts").read_text().split("\n")
    below = sorted(
        {line.split()[1] for line in table if line and line.split()[1].startswith(str(mount_point))}, reverse=True
    )
    for target in below:
        subprocess.run(["umount", "-l", target], check=False, capture_output=True)


@needs_root
def test_a_read_only_home_is_one_clear_error_and_stays_untouched(cli: Cli, mounted: Path, home: Home) -> None:
    ro_home = mounted / "home"
    ro_home.mkdir()
    subprocess.run(["mount", "--bind", str(ro_home), str(ro_home)], check=True)
    subprocess.run(["mount", "-o", "remount,ro,bind", str(ro_home)], check=True)
    result = subprocess.run(
        [sys.executable, "-m", "engine", "--home", str(ro_home), "run", "--no-start", "--", "true"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 7 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert list(ro_home.iterdir()) == []


@needs_root
def test_a_full_disk_while_storing_results_loses_nothing_and_recovers(
    mounted: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mounted)], check=True)
    home = Home(mounted / "home")
    monkeypatch.setenv("HORNQ_HOME", str(home.root))
    monkeypatch.setenv("HORNQ_SOLVER_PLUGINS", PLUGINS)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("HORNQ_BUSY_TIMEOUT_S", "0.5")
    db = open_database(home)
    cli = Cli(home)
    config = tmp_path / "big.toml"
    config.write_text('kind = "steps"\nsteps = 60\nstep_s = 0.05\nartifact_kb = 3000\n')
    job_id = cli("submit", "--no-start", str(config)).stdout.strip()
    engine = EngineProcess(home)
    try:
        engine.start()
        wait_for(lambda: Job.get_by_id(job_id).progress > 0.1)
        filler = mounted / "filler"
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k"], capture_output=True, check=False)
        before = Job.get_by_id(job_id).status
        time.sleep(4)  # the job ends meanwhile and cannot store its results
        assert Job.get_by_id(job_id).status in (before, "error"), "nothing is recorded half-way"
        filler.unlink()
        wait_for(lambda: Job.get_by_id(job_id).status != "running", timeout=60)
        job = Job.get_by_id(job_id)
        assert job.status in ("complete", "error")
        if job.status == "error":
            assert "No space left" in job.error_message or "full" in job.error_message
        assert not check_all()
        follow_up = cli("run", "--no-start", "--", "true").stdout.strip()
        wait_for(lambda: cli.status(follow_up) == "complete", timeout=60)
    finally:
        engine.stop()
        db.close()


def test_a_truncated_database_is_refused_in_one_line_and_left_as_it_was(cli: Cli, home: Home) -> None:
    for n in range(300):
        Job.insert(
            id=f"{n:08x}-0000-4000-8000-{n:012x}",
            kind="command",
            status="queued",
            created_at="x",
            updated_at="x",
            queued_at="x",
            queue_seq=n,
            config_json="{}" * 200,
            config_summary_json="{}",
            change_seq=n,
        ).execute()
    sqlite3.connect(home.db_path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    size = home.db_path.stat().st_size
    with open(home.db_path, "r+b") as db_file:
        db_file.truncate(size // 2)
    digest = hashlib.sha256(home.db_path.read_bytes()).hexdigest()
    result = cli("jobs", "--json", "--limit", "200", check=False)
    assert result.returncode == 7 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert hashlib.sha256(home.db_path.read_bytes()).hexdigest() == digest
