"""Small horn jobs through a real SLURM: the cluster-side worker solves them, the results land as locally.

Each SLURM job starts a fresh solver process, so the module runs its two jobs once and every test reads them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.solvers.horn.meshfile import tags_present
from engine.store.lifecycle import TERMINAL
from engine.store.models import Job, JobEvent
from tests.conftest import Cli, EngineProcess, module_home, wait_for
from tests.horn.test_horn_job import LOCAL_REFERENCE, RESULT_KEYS, SMALL_HORN, SOLVE_3D
from tests.slurm.helpers import slurm_state

pytestmark = [pytest.mark.slurm, pytest.mark.solver]
#: The same horn solved whole at more frequencies: a dozen seconds in ``bem_solve``, long enough for the engine's
#: once-a-second look at the job directory to see each stage (the small horn's quarter model takes under one).
SLOWER = (
    SMALL_HORN.replace("f_max = 4000\nn = 3", "f_max = 4000\nn = 12")
    + f'[mesh]\nbanded = false\n[solver]\n{SOLVE_3D}\nsymmetry = "none"\n'
)


@pytest.fixture(scope="module")
def horn_job(tmp_path_factory: pytest.TempPathFactory, slurm_cluster: None) -> Iterator[tuple[Cli, str, Path, set]]:
    """Submit, run an engine, and note every (status, stage) the job shows on its way to the end."""
    root = tmp_path_factory.mktemp("slurm-horn")
    with module_home(root) as cli:
        config = root / "horn.toml"
        config.write_text(SMALL_HORN.format(label="on the cluster") + f"[solver]\n{SOLVE_3D}\n")
        job_id = cli("submit", "--no-start", "--executor", "slurm", str(config)).stdout.strip()
        watched = root / "watched.toml"
        watched.write_text(SLOWER.format(label="watched on the cluster"))
        watched_id = cli("submit", "--no-start", "--executor", "slurm", str(watched)).stdout.strip()
        engine = EngineProcess(cli.home)
        engine.start()
        seen: set[tuple[str, str | None]] = set()

        def finished() -> bool:
            watched_job = Job.get_by_id(watched_id)
            seen.add((watched_job.status, watched_job.stage))
            return Job.get_by_id(job_id).status in TERMINAL and watched_job.status in TERMINAL

        try:
            wait_for(finished, timeout=1500, interval=0.2)
        finally:
            engine.stop()
        yield cli, job_id, root, seen


@pytest.mark.timeout(1800)
def test_a_horn_job_through_slurm_completes_with_results_of_the_documented_shape(horn_job) -> None:
    cli, job_id, _, _ = horn_job
    job = Job.get_by_id(job_id)
    assert (job.status, job.executor, job.has_results, job.has_mesh_artifact) == ("complete", "slurm", True, True), (
        job.error_message
    )
    assert slurm_state(job.external_id) == "COMPLETED"
    results = cli.json("results", job_id)
    assert set(results) == RESULT_KEYS and results["job_id"] == job_id
    assert results["frequencies_hz"] == pytest.approx([1000, 2000, 4000])
    assert len(results["polar"]["horizontal"]["spl_db"]) == 3
    assert results["directivity_index_db"][0] < results["directivity_index_db"][2]


def test_slurm_results_match_a_local_run_of_the_same_config(horn_job, tmp_path_factory: pytest.TempPathFactory) -> None:
    reference = tmp_path_factory.getbasetemp() / LOCAL_REFERENCE
    if not reference.exists():
        pytest.skip("the local run of tests/horn/test_horn_job.py provides the reference; run both together")
    cli, job_id, _, _ = horn_job
    local, remote = json.loads(reference.read_text()), cli.json("results", job_id)
    assert remote["frequencies_hz"] == local["frequencies_hz"]
    for key in ("on_axis_spl_db", "directivity_index_db"):
        assert remote[key] == pytest.approx(local[key], abs=1e-3)
    for plane in ("horizontal", "vertical"):
        assert remote["polar"][plane]["spl_db"] == [
            pytest.approx(row, abs=1e-3) for row in local["polar"][plane]["spl_db"]
        ]
    assert remote["throat_impedance"]["real"] == pytest.approx(local["throat_impedance"]["real"], abs=1e-4)


def test_a_horn_job_through_slurm_shows_its_solver_stages_while_running(horn_job) -> None:
    _, _, _, seen = horn_job
    assert {("running", "compiling"), ("running", "bem_solve")} <= seen


def test_a_horn_job_through_slurm_reports_the_time_its_solver_expects_to_need(horn_job) -> None:
    _, job_id, _, _ = horn_job
    job = Job.get_by_id(job_id)
    assert job.remaining_s is not None and job.remaining_at is not None


def test_a_horn_job_through_slurm_keeps_its_tagged_mesh_log_and_slurm_history(horn_job) -> None:
    cli, job_id, root, _ = horn_job
    mesh = root / "horn.msh"
    cli("mesh", job_id, "-o", str(mesh))
    assert {1, 2, 3} <= tags_present(mesh)
    assert "triangles" in cli("log", job_id).stdout
    sources = [e.source for e in JobEvent.select().where(JobEvent.job == job_id).order_by(JobEvent.id)]
    assert sources == ["user", "slurm", "slurm"]
