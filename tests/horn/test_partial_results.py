"""Horn results that stream in and survive a stop: real engine, real warm worker, real axisymmetric solves of the
small round horn (a whole sweep takes about a second, so these stay fast)."""

from __future__ import annotations

import json
import os
import signal
import tomllib
from pathlib import Path

import pytest

from engine.solvers.horn.axisymmetric import bem
from engine.solvers.horn.axisymmetric.generatrix import band_outline, outline_bands
from engine.solvers.horn.config import HornConfig
from engine.solvers.horn.post import build_results, observation_points
from engine.solvers.horn.streaming import solving_order
from engine.solvers.horn.sweep import joined
from engine.solvers.horn.validation import parse
from engine.store.models import Job
from tests.conftest import Cli, EngineProcess, wait_for
from tests.horn.test_horn_job import SMALL_HORN

pytestmark = pytest.mark.solver

#: The small horn's sweep: 9 frequencies over two axisymmetric bands.
NINE = ("f_max = 4000\nn = 3", "f_max = 8000\nn = 9")
#: So many frequencies that a stop arrives long before the sweep ends.
MANY = ("f_max = 4000\nn = 3", "f_max = 4000\nn = 1000")
NUMBERS = (
    "frequencies_hz",
    "on_axis_spl_db",
    "polar",
    "directivity_index_db",
    "beamwidth_6db_deg",
    "throat_impedance",
)
CONFLICT = 6


def submit(cli: Cli, tmp_path: Path, label: str, sweep: tuple[str, str]) -> str:
    path = tmp_path / f"{label}.toml"
    path.write_text(SMALL_HORN.format(label=label).replace(*sweep))
    return cli("submit", "--no-start", str(path)).stdout.strip()


def partial_so_far(cli: Cli, job_id: str) -> dict | None:
    answer = cli("results", job_id, "--partial", check=False)
    return None if answer.returncode else json.loads(answer.stdout)


def test_the_sweep_is_solved_ends_first_then_by_bisection() -> None:
    assert solving_order(9) == [0, 8, 4, 2, 6, 1, 5, 3, 7]
    assert sorted(solving_order(1000)) == list(range(1000))


def test_a_job_solves_its_frequencies_in_streaming_order_and_stores_them_in_frequency_order(
    cli: Cli, tmp_path: Path
) -> None:
    job_id = submit(cli, tmp_path, "nine", NINE)
    cli("engine", "--until-idle", timeout=300)
    results = cli.json("results", job_id)
    frequencies = results["frequencies_hz"]
    solved = [line.split(":")[0] for line in cli("log", job_id).stdout.splitlines() if "direct solve" in line]
    labels = [f"{f / 1000:.3g} kHz" if f >= 1000 else f"{f:.0f} Hz" for f in frequencies]
    assert solved == [labels[i] for i in solving_order(len(frequencies))]
    assert frequencies == sorted(frequencies) and "partial" not in results


def test_the_complete_results_equal_a_sweep_solved_in_frequency_order(cli: Cli, tmp_path: Path) -> None:
    job_id = submit(cli, tmp_path, "nine", NINE)
    cli("engine", "--until-idle", timeout=300)
    stored = cli.json("results", job_id)
    raw = tomllib.loads(SMALL_HORN.format(label="nine").replace(*NINE))
    cfg = HornConfig.from_dict(parse({k: v for k, v in raw.items() if k not in ("kind", "label")}, tmp_path).config)
    obs = cfg.observation
    points = observation_points(obs.distance, obs.angles, obs.planes)
    sweeps = [
        bem.solve_sweep(band_outline(cfg, band), band.frequencies, points, c=cfg.medium.c, rho=cfg.medium.rho)
        for band in outline_bands(cfg)
    ]
    reference = build_results(
        job_id,
        joined(sweeps),
        distance_m=obs.distance,
        angles_deg=obs.angles,
        planes=obs.planes,
        normalize_angle=obs.normalize_angle,
        c=cfg.medium.c,
        rho=cfg.medium.rho,
        mesh_meta={},
    )
    for key in NUMBERS:
        assert stored[key] == reference[key], key


def test_a_running_job_shows_its_solved_frequencies_as_partial_results(
    cli: Cli, engine_process: EngineProcess, tmp_path: Path
) -> None:
    job_id = submit(cli, tmp_path, "many", MANY)
    engine_process.start()
    partial = wait_for(lambda: partial_so_far(cli, job_id), timeout=120)
    assert partial["partial"]["of"] == 1000 and 1 <= partial["partial"]["solved"] < 1000
    assert len(partial["frequencies_hz"]) == partial["partial"]["solved"]
    assert partial["frequencies_hz"] == sorted(partial["frequencies_hz"])
    refused = cli("results", job_id, check=False)
    assert refused.returncode == CONFLICT and "--partial" in refused.stderr
    cli("stop", job_id)


def test_a_job_cancelled_after_three_frequencies_keeps_them_and_the_next_job_runs_warm(
    cli: Cli, engine_process: EngineProcess, tmp_path: Path
) -> None:
    job_id = submit(cli, tmp_path, "many", MANY)
    engine_process.start()
    wait_for(lambda: (found := partial_so_far(cli, job_id)) and found["partial"]["solved"] >= 3, timeout=120)
    cli("stop", job_id)
    wait_for(lambda: cli.status(job_id) == "cancelled", timeout=60)
    job = Job.get_by_id(job_id)
    assert not job.has_results
    kept = cli.json("results", job_id, "--partial")
    solved = kept["partial"]["solved"]
    assert 3 <= solved < 1000 and len(kept["frequencies_hz"]) == solved
    logged = [line for line in cli("log", job_id).stdout.splitlines() if "direct solve" in line]
    assert len(logged) == solved, "every solved frequency is kept, not only those of the last periodic save"
    assert kept["frequencies_hz"][0] == 1000 and kept["frequencies_hz"][-1] == 4000, "ends first"
    refused = cli("export", job_id, "--out", str(tmp_path / "out"), check=False)
    assert refused.returncode == CONFLICT and f"hornq export {job_id[:8]} --partial" in refused.stderr
    cli("export", job_id, "--partial", "--format", "json", "--out", str(tmp_path / "out"))
    assert [path.name for path in (tmp_path / "out").iterdir()] == ["many-partial.json"]
    after = submit(cli, tmp_path, "after", NINE)
    wait_for(lambda: cli.status(after) == "complete", timeout=120)
    assert Job.get_by_id(after).worker_pid == job.worker_pid
    assert cli.json("results", after)["metadata"]["mesh"]["compiled_in_this_job"] is False


def test_a_job_whose_worker_dies_keeps_what_it_solved(cli: Cli, engine_process: EngineProcess, tmp_path: Path) -> None:
    job_id = submit(cli, tmp_path, "many", MANY)
    engine_process.start()
    wait_for(lambda: (found := partial_so_far(cli, job_id)) and found["partial"]["solved"] >= 3, timeout=120)
    os.kill(Job.get_by_id(job_id).worker_pid, signal.SIGKILL)
    wait_for(lambda: cli.status(job_id) == "error", timeout=60)
    job = Job.get_by_id(job_id)
    assert not job.has_results and "worker died" in job.error_message
    assert cli.json("results", job_id, "--partial")["partial"]["solved"] >= 3
