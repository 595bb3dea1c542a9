"""The real `hornq` command in a pseudo-terminal: it starts the engine, and a dropped terminal loses no job."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import time

from engine.paths import Home
from engine.store import lease
from engine.store.models import Job
from tests.conftest import ROOT, Cli, wait_for


def test_a_hung_up_terminal_leaves_the_background_engine_and_its_job_running(cli: Cli, home: Home) -> None:
    job_id = cli.submit_command(sys.executable, "-c", "import time; time.sleep(3); print('survived')")
    pid, fd = pty.fork()
    if pid == 0:  # the child becomes `hornq` on a terminal, as over SSH
        os.chdir(ROOT)
        os.execv(sys.executable, [sys.executable, "-m", "tui.launcher"])
    try:
        wait_for(lambda: lease.live_engine() is not None, timeout=30)
        wait_for(lambda: Job.get_by_id(job_id).status == "running", timeout=30)
        time.sleep(0.5)
        os.kill(pid, signal.SIGHUP)  # the SSH connection drops
        os.waitpid(pid, 0)
        wait_for(lambda: Job.get_by_id(job_id).status == "complete", timeout=60)
        assert "survived" in cli("log", job_id).stdout
    finally:
        os.close(fd)
        with_engine = lease.live_engine()
        if with_engine is not None:
            subprocess.run(
                [sys.executable, "-m", "engine", "engine", "stop"], cwd=ROOT, check=False, capture_output=True
            )
