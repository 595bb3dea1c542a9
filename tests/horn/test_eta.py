"""A running horn job's elapsed time and ETA, as `hornq status --json` and `hornq jobs --json` give them: the
worker's own prediction, counted down. Real engine, real warm worker, the small round horn."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import Cli, EngineProcess, wait_for
from tests.horn.test_partial_results import MANY, submit

pytestmark = pytest.mark.solver


def solving(cli: Cli, job_id: str) -> dict | None:
    status = cli.json("status", job_id)
    return status if status["stage"] == "bem_solve" and status["eta_s"] is not None else None


def test_a_running_horn_job_has_an_eta_that_counts_down(
    cli: Cli, engine_process: EngineProcess, tmp_path: Path
) -> None:
    job_id = submit(cli, tmp_path, "many", MANY)
    engine_process.start()
    first = wait_for(lambda: solving(cli, job_id), timeout=120)
    assert first["elapsed_s"] > 0 and first["eta_s"] > 0
    time.sleep(1.0)
    later = cli.json("status", job_id)
    assert later["status"] == "running" and later["eta_s"] < first["eta_s"]
    listed = next(item for item in cli.json("jobs")["items"] if item["id"] == job_id)
    assert listed["eta_s"] is not None and listed["partial"]["of"] == 1000 and listed["partial"]["solved"] >= 1
    cli("stop", job_id)
