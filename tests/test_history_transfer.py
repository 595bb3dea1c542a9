"""Moving history between HORNQ_HOMEs: export-history → import-history keeps jobs, studies, metrics, optimisations
and measurements."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.config.optimize import Options
from engine.errors import ConfigError
from engine.paths import Home
from engine.solvers.horn.metrics import VERSION as METRICS_VERSION
from engine.store import lifecycle, optimize, studies
from engine.store import metrics as metricstore
from engine.store.db import open_database
from engine.store.history_export import export_history
from engine.store.history_import import UNFINISHED, import_history
from engine.store.lifecycle import Source, Status
from engine.store.models import Job, JobEvent, JobMetrics, JobResult, Measurement, Optimization, Study
from tests.conftest import Cli
from tests.test_measurement_cli import write_frd
from tests.tui.study_sample import COMPLETE, HORN, STUDY_ID, populate_study, synthetic_results


@pytest.fixture
def exported(home: Home, tmp_path: Path) -> tuple[Path, dict]:
    ids = populate_study(home)
    path = tmp_path / "history.json"
    export_history(path, include_results=True)
    return path, ids


@pytest.fixture
def other_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    home = Home(tmp_path / "other-home")
    monkeypatch.setenv("HORNQ_HOME", str(home.root))
    open_database(home)
    return home


def test_the_export_carries_studies_values_and_metrics(exported: tuple[Path, dict]) -> None:
    path, ids = exported
    document = json.loads(path.read_text())
    assert (document["format"], document["version"]) == ("hornq-history", 3)
    entry = next(e for e in document["jobs"] if e["id"] == ids["points"][45])
    assert entry["study"]["id"] == STUDY_ID and entry["study"]["name"] == "coverage"
    assert entry["study_values"] == {"a": 45}
    assert entry["metrics"]["version"] == METRICS_VERSION and entry["results"]["job_id"] == ids["points"][45]


def test_import_brings_finished_jobs_into_another_home_with_their_ids(
    exported: tuple[Path, dict], other_home: Home, cli: Cli
) -> None:
    path, ids = exported
    report = cli.json("import-history", str(path))
    finished = {ids["plain"], *(ids["points"][a] for a in COMPLETE)}
    assert {item["source_id"] for item in report["imported"]} == finished
    assert all(item["id"] == item["source_id"] for item in report["imported"])
    assert set(report["skipped_active"]) == {ids["queued"], ids["points"][55], ids["points"][60]}
    job = Job.get_by_id(ids["points"][45])
    assert (job.status, job.study_id, json.loads(job.study_values_json), job.has_results) == (
        "complete",
        STUDY_ID,
        {"a": 45},
        True,
    )
    assert [e.to_status for e in JobEvent.select().where(JobEvent.job == job.id).order_by(JobEvent.id)] == [
        "queued",
        "running",
        "complete",
    ]
    assert JobMetrics.select().count() == 3 and Study.get_by_id(STUDY_ID).name == "coverage"
    assert studies.summarize(Study.get_by_id(STUDY_ID)).points == 3
    compared = cli.json("compare", "--study", "coverage")
    assert [row["study_values"]["a"] for row in compared["jobs"]] == list(COMPLETE)


def test_importing_the_same_file_again_changes_nothing(exported: tuple[Path, dict], other_home: Home) -> None:
    path, _ = exported
    first = import_history(path)
    counts = (Job.select().count(), JobEvent.select().count(), Study.select().count())
    again = import_history(path)
    assert (len(first.imported), len(again.imported), len(again.present)) == (4, 0, 4)
    assert (Job.select().count(), JobEvent.select().count(), Study.select().count()) == counts


def test_a_job_whose_id_is_taken_here_gets_a_new_id_and_its_results_follow(
    exported: tuple[Path, dict], other_home: Home
) -> None:
    path, ids = exported
    taken = ids["points"][40]
    document = json.loads(path.read_text())
    squatter = next(e for e in document["jobs"] if e["id"] == ids["plain"])
    other = {**document, "jobs": [{**squatter, "id": taken}]}
    (path.parent / "other.json").write_text(json.dumps(other))
    import_history(path.parent / "other.json")
    report = import_history(path)
    new_id = report.imported[taken]
    assert new_id != taken and report.renamed == 1
    assert json.loads(JobResult.get_by_id(new_id).results_json)["job_id"] == new_id
    assert Job.get_by_id(taken).label == "baseline"
    assert len(import_history(path).imported) == 0  # still idempotent after the rename


def test_a_file_that_is_not_an_export_is_refused_without_writing(tmp_path: Path, other_home: Home) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"format": "something", "jobs": []}))
    with pytest.raises(ConfigError, match="not a hornq history export"):
        import_history(path)
    path.write_text(json.dumps({"format": "hornq-history", "version": 2, "jobs": [{"id": "x"}]}))
    with pytest.raises(ConfigError, match="lacks 'kind'"):
        import_history(path)
    assert Job.select().count() == 0


@pytest.fixture
def exported_optimization(home: Home, tmp_path: Path, cli: Cli) -> tuple[Path, str]:
    """A running optimisation of a = 40…60°: a complete trial, a failed one and one whose job still runs; and a
    stored measurement."""
    open_database(home)
    plan = optimize.draft(HORN, Path("/"), Options(vary=["a=40..60"], objective="bw_h_spread", trials=8))
    row = Optimization.get_by_id(optimize.create(plan).id)
    for number, a in enumerate((44, 52, 58)):
        job_id = optimize.propose(row, number, {"a": a}).job_id
        lifecycle.transition(job_id, Status.RUNNING, source=Source.ENGINE)
        if a == 44:
            JobResult.create(job=job_id, results_json=json.dumps(synthetic_results(job_id, a)))
            lifecycle.transition(job_id, Status.COMPLETE, source=Source.ENGINE, has_results=True)
            spread = metricstore.ensure([job_id])[job_id]["values"]["bw_h_spread"]
            optimize.record_told(row.study_id, number, spread, None, None)
        elif a == 52:
            lifecycle.transition(job_id, Status.ERROR, source=Source.ENGINE)
            optimize.record_told(row.study_id, number, None, None, "its job failed")
    cli("measurement", "add", "bench", str(write_frd(tmp_path / "bench.frd", [90.0, 91.0, 92.0, 91.0, 89.0])))
    path = tmp_path / "history.json"
    written = cli("export-history", str(path), "--results")
    assert "wrote 3 job(s), 1 optimisation(s), 1 measurement(s)" in written.stdout + written.stderr
    return path, row.study_id


def test_an_optimisation_arrives_ended_with_its_trials_on_the_imported_jobs(
    exported_optimization: tuple[Path, str], other_home: Home, cli: Cli
) -> None:
    path, study_id = exported_optimization
    before = json.loads(path.read_text())["optimizations"][0]["trials"]
    report = cli.json("import-history", str(path))
    assert report["optimizations"] == [study_id]
    found = optimize.progress(study_id)
    assert found is not None and found["ended"] == UNFINISHED and not optimize.live()
    assert [(t["values"], t["objective"], t["state"]) for t in found["history"]] == [
        ({"a": 44}, before[0]["objective"], "complete"),
        ({"a": 52}, None, "failed"),
        ({"a": 58}, None, "failed"),
    ]
    assert found["history"][2]["message"] == UNFINISHED and found["history"][2]["job_id"] is None
    assert found["best"]["job_id"] == before[0]["job_id"] and Job.get_by_id(before[0]["job_id"]).status == "complete"
    listed = {s["id"]: s for s in cli.json("studies")["items"]}
    assert listed[study_id]["optimization"]["best"]["values"] == {"a": 44}
    assert cli.json("import-history", str(path))["optimizations"] == []


def test_a_measurement_keeps_its_name_unless_another_holds_it_here(
    exported_optimization: tuple[Path, str], other_home: Home, cli: Cli, tmp_path: Path
) -> None:
    path, _ = exported_optimization
    cli("measurement", "add", "bench", str(write_frd(tmp_path / "other.frd", [80.0, 80.0, 80.0, 80.0, 80.0])))
    report = cli.json("import-history", str(path))
    assert report["measurements"] == [{"source_name": "bench", "name": "bench (imported)"}]
    assert cli.json("measurement", "show", "bench (imported)")["on_axis_spl_db"] == [90.0, 91.0, 92.0, 91.0, 89.0]
    again = cli.json("import-history", str(path))
    assert (again["measurements"], again["skipped_measurements_present"]) == ([], ["bench"])
    assert Measurement.select().count() == 2
