"""Moving history between HORNQ_HOMEs: export-history → import-history keeps jobs, studies and metrics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.errors import ConfigError
from engine.paths import Home
from engine.solvers.horn.metrics import VERSION as METRICS_VERSION
from engine.store import studies
from engine.store.db import open_database
from engine.store.history_export import export_history
from engine.store.history_import import import_history
from engine.store.models import Job, JobEvent, JobMetrics, JobResult, Study
from tests.conftest import Cli
from tests.tui.study_sample import COMPLETE, STUDY_ID, populate_study


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
    assert (document["format"], document["version"]) == ("hornq-history", 2)
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
