"""Stop, delete and re-run requests from several CLI processes racing with jobs that are finishing."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from engine.store import settings
from engine.store.lifecycle import ACTIVE
from engine.store.models import Job
from tests.conftest import ROOT, Cli, EngineProcess, wait_for
from tests.reliability.invariants import check_all

CYCLES = int(os.environ.get("HORNQ_STRESS_CYCLES", "50"))


@pytest.mark.stress
def test_racing_requests_never_change_a_finished_job_or_attach_results_to_a_cancelled_one(
    cli: Cli, engine_process: EngineProcess, tmp_path: Path
) -> None:
    rng = random.Random(7)
    start_file = tmp_path / "starts.txt"
    settings.set_value("max_concurrent_jobs", "3")
    settings.set_value("cancel_grace_s", "0.5")
    ids = [
        cli.submit_command("sh", "-c", f'echo "$HORNQ_JOB_ID" >> {start_file}; sleep 0.{rng.randrange(4)}')
        for _ in range(max(12, CYCLES // 2))
    ]
    engine_process.start()
    requests = []
    for _ in range(max(24, CYCLES)):
        verb = rng.choice(["stop", "delete", "rerun"])
        chosen = rng.sample(ids, 3)
        requests.append(
            subprocess.Popen(
                [sys.executable, "-m", "engine", verb, *chosen, "--no-start"]
                if verb == "rerun"
                else [sys.executable, "-m", "engine", verb, *chosen],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    results = [(r.wait(120), r.stderr.read()) for r in requests]
    assert all(code in (0, 4, 6) for code, _ in results), [r for r in results if r[0] not in (0, 4, 6)]
    assert all("Traceback" not in err for _, err in results)
    wait_for(lambda: Job.select().where(Job.status.in_(list(ACTIVE))).count() == 0, timeout=120)
    assert not check_all(start_file)
