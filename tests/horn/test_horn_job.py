"""A small generated horn end to end through the real engine and a real warm worker."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from engine.solvers.horn.meshfile import tags_present
from engine.solvers.horn.metrics import VERSION as METRICS_VERSION
from engine.store.models import Job
from tests.conftest import Cli, module_home

SMALL_HORN = """\
kind = "horn"
label = "{label}"
[horn]
formula = "R-OSSE"
R = 40
a = 40
r0 = 12.7
a0 = 9
r = 0.25
m = 0.8
b = 0.25
q = 3
[sweep]
f_min = 1000
f_max = 4000
n = 3
[observation]
angle_step = 10
"""
#: The ``[solver]`` line that keeps the round small horn on the 3-D method (auto would solve it axisymmetrically).
SOLVE_3D = 'method = "3d"'
#: Where the local run leaves its results, so the SLURM run of the same config can be compared with it.
LOCAL_REFERENCE = "small-horn-local-results.json"
RESULT_KEYS = {
    "job_id",
    "frequencies_hz",
    "observation",
    "on_axis_spl_db",
    "polar",
    "directivity_index_db",
    "beamwidth_6db_deg",
    "throat_impedance",
    "metadata",
}


@pytest.fixture(scope="module")
def two_horn_jobs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Cli, list[str], Path]:
    """Two horn jobs through one engine: the first pays the compile, the second runs warm."""
    root = tmp_path_factory.mktemp("horn-e2e")
    with module_home(root) as cli:
        ids = []
        for label in ("first", "second"):
            path = root / f"{label}.toml"
            path.write_text(SMALL_HORN.format(label=label) + f"[solver]\n{SOLVE_3D}\n")
            ids.append(cli("submit", "--no-start", str(path)).stdout.strip())
        cli("engine", "--until-idle", timeout=1500)
        reference = tmp_path_factory.getbasetemp() / LOCAL_REFERENCE
        reference.write_text(cli("results", ids[0], "--json").stdout)
        yield cli, ids, root


@pytest.mark.solver
def test_horn_jobs_complete_with_results_of_the_documented_shape(two_horn_jobs) -> None:
    cli, ids, _ = two_horn_jobs
    for job_id in ids:
        job = Job.get_by_id(job_id)
        assert (job.status, job.has_results, job.has_mesh_artifact) == ("complete", True, True), job.error_message
        results = cli.json("results", job_id)
        assert set(results) == RESULT_KEYS and results["job_id"] == job_id
        assert results["frequencies_hz"] == pytest.approx([1000, 2000, 4000])
        assert set(results["polar"]) == {"horizontal", "vertical"}
        assert len(results["polar"]["horizontal"]["spl_db"][0]) == len(results["observation"]["angles_deg"]) == 19


@pytest.mark.solver
def test_directivity_index_rises_with_frequency(two_horn_jobs) -> None:
    cli, ids, _ = two_horn_jobs
    di = cli.json("results", ids[0])["directivity_index_db"]
    assert di[0] < di[1] < di[2]


@pytest.mark.solver
def test_metrics_are_stored_on_completion_and_read_the_results_at_the_sweep_points(two_horn_jobs) -> None:
    cli, ids, _ = two_horn_jobs
    results = cli.json("results", ids[0])
    metrics = cli.json("metrics", ids[0])
    assert metrics["version"] == METRICS_VERSION
    assert metrics["settings"]["coverage_deg"] == {"horizontal": 80.0, "vertical": 80.0}
    values = metrics["values"]
    # 1, 2 and 4 kHz are sweep points, so the metrics there are the results themselves; 8 and 16 kHz lie outside.
    assert [values["di_1k"], values["di_2k"], values["di_4k"]] == pytest.approx(
        results["directivity_index_db"], abs=1e-4
    )
    assert values["bw_h_2k"] == pytest.approx(results["beamwidth_6db_deg"]["horizontal"][1], abs=1e-4)
    assert values["di_8k"] is None and values["bw_v_16k"] is None
    band = results["beamwidth_6db_deg"]["vertical"]
    assert values["bw_v_spread"] == pytest.approx(max(band) - min(band), abs=1e-4)
    assert values["di_mean"] is not None and values["on_axis_dev"] >= 0 and values["z_ripple"] >= 0
    compared = cli.json("compare", *ids)
    assert [row["metrics"]["di_1k"] for row in compared["jobs"]] == pytest.approx([values["di_1k"]] * 2, abs=0.5)


@pytest.mark.solver
def test_the_second_job_in_the_same_worker_skips_the_compile_stage(two_horn_jobs) -> None:
    cli, ids, _ = two_horn_jobs
    first, second = (cli.json("results", i)["metadata"]["mesh"] for i in ids)
    assert (first["compiled_in_this_job"], second["compiled_in_this_job"]) == (True, False)
    assert Job.get_by_id(ids[0]).worker_pid == Job.get_by_id(ids[1]).worker_pid


@pytest.mark.solver
def test_the_mesh_artifact_reimports_with_wall_and_source_tags(two_horn_jobs) -> None:
    cli, ids, root = two_horn_jobs
    out = root / "artifact.msh"
    cli("mesh", ids[0], "-o", str(out))
    assert {1, 2} <= tags_present(out)
    mesh = cli.json("results", ids[0])["metadata"]["mesh"]
    assert mesh["triangles"] > 100 and mesh["elements_per_wavelength"] > 0


@pytest.mark.solver
def test_frd_export_writes_one_parseable_file_per_angle_and_plane(two_horn_jobs) -> None:
    cli, ids, root = two_horn_jobs
    out = root / "frd"
    cli("export", ids[0], "--format", "frd", "--out", str(out))
    files = sorted(out.rglob("*.frd"))
    assert len(files) == 2 * 19
    assert (out / "hor" / "first 30.frd").exists() and (out / "ver" / "first 30.frd").exists()
    rows = [line.split() for line in (out / "hor" / "first 0.frd").read_text().splitlines() if not line.startswith("*")]
    assert [float(r[0]) for r in rows] == pytest.approx([1000, 2000, 4000])
    assert all(len(r) == 3 for r in rows)
    assert oct(os.stat(files[0]).st_mode & 0o777) == "0o600"


@pytest.mark.solver
def test_the_log_tells_the_mesh_size_and_each_frequency_solved(two_horn_jobs) -> None:
    cli, ids, _ = two_horn_jobs
    log = cli("log", ids[0]).stdout
    assert "elements per wavelength" in log
    per_frequency = [line for line in log.splitlines() if "unknowns" in line and "GMRES iterations" in line]
    assert len(per_frequency) == 3, "one line per solved frequency"
    stages = json.loads(Job.get_by_id(ids[1]).config_summary_json)
    assert stages["formula_type"] == "R-OSSE"


BAD_CONFIGS = {
    "negative radius": ('[horn]\nformula = "R-OSSE"\nR = 40\na = 40\nr0 = -12.7\n', "horn.r0"),
    "no real length": ('[horn]\nformula = "R-OSSE"\nR = 5\na = 40\nr0 = 12.7\n', "horn"),
    "unknown key": ('[horn]\nformula = "R-OSSE"\nR = 40\na = 40\nr0 = 12.7\nthroat = 1\n', "horn.throat"),
    "f_min above f_max": ('[horn]\nformula = "R-OSSE"\nR = 40\na = 40\nr0 = 12.7\n', "sweep"),
    "missing mesh file": ('[mesh]\nfile = "nowhere.msh"\n', "nowhere.msh"),
}


@pytest.mark.parametrize("case", list(BAD_CONFIGS))
def test_bad_horn_configs_are_refused_before_queueing(cli: Cli, tmp_path: Path, case: str) -> None:
    body, named = BAD_CONFIGS[case]
    sweep = (
        "[sweep]\nf_min = 4000\nf_max = 1000\nn = 3\n"
        if case == "f_min above f_max"
        else "[sweep]\nf_min = 1000\nf_max = 4000\nn = 3\n"
    )
    path = tmp_path / "bad.toml"
    path.write_text('kind = "horn"\n' + body + sweep)
    result = cli("submit", "--no-start", str(path), check=False)
    assert result.returncode == 3 and named in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert Job.select().count() == 0


def test_the_example_config_validates(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "example.toml"
    path.write_text(cli("config", "example", "horn").stdout)
    job_id = json.loads(cli("submit", "--no-start", str(path), "--json").stdout)["id"]
    assert Job.get_by_id(job_id).kind == "horn"
