"""``hornq estimate``, the estimate line of ``hornq submit`` and ``hornq calibrate``, as a user and scripts see them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from engine.cli.main import main
from engine.config.job import load_config_file
from engine.paths import Home
from engine.store import jobs, lifecycle
from engine.store.lifecycle import Source, Status
from engine.store.models import Job, JobResult

HORN = """kind = "horn"
[horn]
formula = "R-OSSE"
R = 130
a = 40
r0 = 12.7
a0 = 9
k = 1
r = 0.25
m = 0.8
b = 0.25
q = 3
wall_thickness = 5
"""
THREE_D = HORN + '[mesh]\nsize = "auto"\n[sweep]\nf_min = 200\nf_max = 3000\nn = 8\n[solver]\nmethod = "3d"\n'
COARSE = (
    HORN
    + '[mesh]\nthroat_size = 4\nmouth_size = 10\n[sweep]\nf_min = 200\nf_max = 20000\nn = 8\n[solver]\nmethod = "3d"\n'
)
ROUND = HORN + "[sweep]\nf_min = 200\nf_max = 20000\nn = 20\n"
ESTIMATE_KEYS = {
    "method",
    "backend",
    "precision",
    "symmetry",
    "bands",
    "unknowns",
    "seconds",
    "peak_memory_bytes",
    "memory_available_bytes",
    "resolved_to_hz",
    "elements_per_wavelength_at_f_max",
    "figures",
    "warnings",
    "line",
    "details",
    "note",
}
BAND_KEYS = {
    "f_low_hz",
    "f_high_hz",
    "frequencies",
    "triangles",
    "elements",
    "unknowns",
    "seconds",
    "memory_bytes",
    "resolved_to_hz",
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, text: str, name: str = "horn.toml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_estimate_prints_the_line_one_line_per_band_and_where_the_figures_come_from(
    home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "estimate", write(tmp_path, THREE_D))

    lines = out.splitlines()
    assert code == 0 and err == ""
    assert lines[0].startswith("3-D, ") and "quarter model" in lines[0] and "unknowns: about " in lines[0]
    assert lines[1].startswith("  band 1: 200 Hz–")
    assert lines[-1].startswith("note: built-in figures for a 2-core machine; they sharpen as jobs finish")


def test_estimate_json_has_the_documented_shape(home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "estimate", write(tmp_path, ROUND), "--json")

    document = json.loads(out)
    assert code == 0
    assert set(document) == ESTIMATE_KEYS
    assert document["method"] == "axisymmetric"
    assert set(document["seconds"]) == {"warm", "cold"}
    assert document["seconds"]["cold"] >= document["seconds"]["warm"] > 0
    assert all(set(band) == BAND_KEYS for band in document["bands"])
    assert document["figures"] == {"source": "built-in", "jobs": 0}


def test_estimate_warns_about_a_mesh_too_coarse_for_f_max_without_refusing(
    home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "estimate", write(tmp_path, COARSE))

    assert code == 0
    assert re.search(
        r"warning: the mesh has 6 elements per wavelength only up to 7\.\d+ kHz: results above it \(to 20 kHz\)", out
    )


def test_estimate_of_a_command_job_is_refused_in_one_line(
    home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, 'kind = "command"\n[command]\nargv = ["true"]\n', "cmd.toml")

    code, out, err = run(capsys, "estimate", path)

    assert code == 6 and out == ""
    assert err == "hornq: no estimate for command jobs: only solver jobs (such as horn) can be estimated\n"


def test_estimate_of_a_study_is_one_line_for_all_its_points(
    home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, ROUND + '[study]\nname = "coverage"\n[study.vary]\na = [35, 40, 45]\n')

    _, single, _ = run(capsys, "estimate", write(tmp_path, ROUND, "one.toml"), "--json")
    code, out, _ = run(capsys, "estimate", path, "--json")

    document = json.loads(out)
    assert code == 0
    assert document["study"] == {"name": "coverage", "jobs": 3}
    assert len(document["points"]) == 3
    assert document["line"].startswith("study 'coverage', 3 jobs one after another: about ")
    assert document["seconds"]["warm"] == pytest.approx(
        sum(p["estimate"]["seconds"]["warm"] for p in document["points"])
    )
    assert document["seconds"]["warm"] > json.loads(single)["seconds"]["warm"]


def test_estimate_of_an_optimisation_prices_its_trials_between_the_ends_of_its_ranges(
    home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = '[study]\nname = "search"\nmode = "optimize"\nobjective = "bw_h_spread"\ntrials = 30\n'
    study += '[study.vary]\nR = "100..200"\n'
    path = write(tmp_path, ROUND + study)

    code, out, _ = run(capsys, "estimate", path, "--json", "--vary", "a=35..45")

    document = json.loads(out)
    ends = [p["estimate"]["seconds"]["warm"] for p in document["points"]]
    assert code == 0
    assert document["study"] == {"name": "search", "mode": "optimize", "trials": 30}
    assert sorted(tuple(sorted(p["values"].items())) for p in document["points"]) == [
        (("R", 100), ("a", 35)),
        (("R", 100), ("a", 45)),
        (("R", 200), ("a", 35)),
        (("R", 200), ("a", 45)),
    ]
    assert document["trial_seconds"] == {
        "low": pytest.approx(min(ends), abs=0.05),
        "high": pytest.approx(max(ends), abs=0.05),
    }
    assert document["seconds"]["warm"] == pytest.approx(30 * sum(ends) / len(ends), abs=0.1)
    assert document["line"].startswith("optimisation 'search', 30 trials one after another: about ")


def test_optimize_prints_the_study_id_and_then_its_estimate(
    home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, ROUND)

    code, out, err = run(
        capsys, "optimize", "--no-start", path, "--vary", "a=35..45", "--objective", "bw_h_spread", "--trials", "20"
    )

    assert code == 0 and len(out.split()) == 1
    assert err.splitlines()[-1].startswith("estimate: optimisation 'horn', 20 trials one after another: about ")


def test_submit_prints_the_id_alone_on_stdout_and_the_estimate_line_after_it(
    home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "submit", "--no-start", write(tmp_path, COARSE))

    (job_id,) = out.split()
    assert code == 0 and Job.get_by_id(job_id).status == "queued"
    first, *warnings = err.splitlines()
    assert first.startswith("estimate: 3-D, ") and first.endswith(
        "(built-in figures: `hornq calibrate` measures this machine)"
    )
    assert warnings == [line for line in warnings if line.startswith("warning: ")] and len(warnings) == 1


def test_submit_json_keeps_id_and_status_and_adds_the_estimate(
    home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "submit", "--no-start", "--json", write(tmp_path, ROUND))

    data = json.loads(out)
    assert code == 0 and err == ""
    assert set(data) == {"id", "status", "estimate"}
    assert data["status"] == "queued"
    assert set(data["estimate"]) == ESTIMATE_KEYS


def test_submit_of_a_command_job_prints_no_estimate(
    home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, 'kind = "command"\n[command]\nargv = ["true"]\n', "cmd.toml")

    code, out, err = run(capsys, "submit", "--no-start", "--json", path)

    assert code == 0 and err == ""
    assert set(json.loads(out)) == {"id", "status"}


def test_a_finished_job_replaces_the_built_in_figures(
    home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, THREE_D)
    job = jobs.submit(load_config_file(Path(path)))
    lifecycle.transition(job.id, Status.RUNNING, source=Source.ENGINE)
    lifecycle.transition(job.id, Status.COMPLETE, source=Source.ENGINE)
    bands = [
        {"f_low_hz": 200.0, "f_high_hz": 400.0, "unknowns": 150, "triangles": 1200, "seconds": 3.0},
        {"f_low_hz": 800.0, "f_high_hz": 1600.0, "unknowns": 400, "triangles": 3200, "seconds": 9.0},
    ]
    solver = {"method": "3d", "backend": "numba", "precision": "double", "symmetry": "quarter", "bands": bands}
    metadata = {"solver": solver, "solve_seconds": [1.0, 1.2, 4.0, 4.4], "mesh": {"compiled_in_this_job": False}}
    results = {"frequencies_hz": [200.0, 400.0, 800.0, 1600.0], "metadata": metadata, "polar": {"horizontal": {}}}
    JobResult.create(job=job.id, results_json=json.dumps(results))

    _, before, _ = run(capsys, "estimate", write(tmp_path, THREE_D + "", "other.toml"), "--json")
    numba = write(tmp_path, THREE_D.replace('method = "3d"', 'method = "3d"\nbackend = "numba"'), "numba.toml")
    code, out, _ = run(capsys, "estimate", numba, "--json")

    assert code == 0
    assert json.loads(out)["figures"] == {"source": "measured", "jobs": 1}
    assert json.loads(before)["backend"] == "numba"  # "auto" expects what this machine's last 3-D job used


def test_calibrate_queues_two_small_real_jobs_of_both_methods(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "calibrate", "--no-start")

    ids = out.split()
    queued = [Job.get_by_id(job_id) for job_id in ids]
    assert code == 0 and len(ids) == 2
    assert [job.label for job in queued] == ["calibration (3-D)", "calibration (axisymmetric)"]
    assert [json.loads(job.config_json)["solver"]["method"] for job in queued] == ["3d", "axisymmetric"]
    assert "calibration" in err
