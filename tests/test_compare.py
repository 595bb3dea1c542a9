"""Comparing horns: the ``hornq compare --json`` document, sorting, other bands, and metrics on demand."""

from __future__ import annotations

import pytest

from engine.paths import Home
from engine.solvers.horn.metrics import METRICS
from engine.solvers.horn.metrics import VERSION as METRICS_VERSION
from engine.store.models import JobMetrics
from tests.conftest import Cli
from tests.tui.study_sample import COMPLETE, populate_study

TOP_KEYS = {"study", "settings", "metrics", "jobs", "measurements", "best"}
JOB_KEYS = {"id", "label", "status", "study_values", "coverage_deg", "band_used_hz", "metrics", "deviation_db"}


@pytest.fixture
def study(home: Home) -> dict:
    return populate_study(home)


def test_compare_json_lists_every_point_of_a_study_with_all_metrics(cli: Cli, study: dict) -> None:
    document = cli.json("compare", "--study", "coverage")
    assert set(document) == TOP_KEYS
    assert document["study"]["name"] == "coverage"
    assert document["study"]["parameters"] == [{"name": "a", "path": "horn.a", "values": [40, 45, 50, 55, 60]}]
    assert document["settings"] == {
        "band_hz": [1000.0, 10000.0],
        "ripple_above_hz": 1000.0,
        "tolerance": 0.15,
        "points_hz": [1000.0, 2000.0, 4000.0, 8000.0, 16000.0],
    }
    assert [m["key"] for m in document["metrics"]] == [m.key for m in METRICS]
    assert set(document["metrics"][0]) == {"key", "title", "unit", "better"}
    rows = document["jobs"]
    assert all(set(row) == JOB_KEYS for row in rows)
    assert document["measurements"] == [] and all(row["deviation_db"] == {} for row in rows)
    assert [row["study_values"] for row in rows] == [{"a": a} for a in (40, 45, 50, 55, 60)]
    assert [row["metrics"] is not None for row in rows] == [True, True, True, False, False]
    assert rows[0]["coverage_deg"] == {"horizontal": 80.0, "vertical": 80.0}
    assert set(rows[0]["metrics"]) == {m.key for m in METRICS}
    complete = {study["points"][a] for a in COMPLETE}
    assert document["best"] and all(set(ids) <= complete for ids in document["best"].values())
    # The wider horn holds its (wider) coverage from a lower frequency: a=50 controls lowest.
    assert document["best"]["control_h_hz"] == [study["points"][50]]


def test_compare_sorts_by_a_metric_and_keeps_jobs_without_it_last(cli: Cli, study: dict) -> None:
    points = study["points"]
    ids = [points[a][:8] for a in (45, 60, 40, 50)]
    rows = cli.json("compare", *ids, "--sort", "di_mean", "--descending")["jobs"]
    assert [row["study_values"]["a"] for row in rows] == [40, 45, 50, 60]
    rows = cli.json("compare", *ids, "--sort", "di_mean")["jobs"]
    assert [row["study_values"]["a"] for row in rows] == [50, 45, 40, 60]


def test_another_band_recomputes_from_the_results_without_replacing_the_stored_metrics(cli: Cli, study: dict) -> None:
    stored = cli.json("compare", study["points"][40])["jobs"][0]["metrics"]["di_mean"]
    narrow = cli.json("compare", study["points"][40], "--band", "1000:2000")
    assert narrow["settings"]["band_hz"] == [1000.0, 2000.0]
    assert narrow["jobs"][0]["metrics"]["di_mean"] < stored
    assert cli.json("compare", study["points"][40])["jobs"][0]["metrics"]["di_mean"] == stored


def test_the_text_table_marks_the_best_values(cli: Cli, study: dict) -> None:
    out = cli("compare", "--study", "coverage", "--metrics", "control_h_hz,di_mean").stdout.splitlines()
    assert (out[0].split(), out[1].split()) == (["ID", "JOB", "Control", "H", "DI", "mean"], ["Hz", "dB"])
    line = next(row for row in out if row.startswith(study["points"][50][:8]))
    assert "k*" in line and "(running)" in next(row for row in out if "a=55" in row)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sort", "loudness"], "unknown metric 'loudness'"),
        (["--band", "10000:1000"], "LO < HI"),
        ([], "give job ids, --study NAME, --measurement NAME, or several"),
    ],
)
def test_compare_refuses_bad_requests_with_usage_errors(cli: Cli, study: dict, args: list[str], message: str) -> None:
    extra = ["--study", "coverage"] if args else []
    result = cli("compare", *extra, *args, check=False)
    assert result.returncode == 2 and message in result.stderr


def test_metrics_missing_for_older_jobs_are_backfilled_on_demand(cli: Cli, study: dict) -> None:
    JobMetrics.delete().execute()
    assert cli.json("metrics", "--backfill") == {"computed": 3}
    assert JobMetrics.select().count() == 3
    shown = cli.json("metrics", study["points"][45])
    assert shown["job_id"] == study["points"][45] and shown["version"] == METRICS_VERSION
    assert shown["values"]["bw_h_16k"] == pytest.approx(90, abs=0.5)
    result = cli("metrics", study["points"][60], check=False)
    assert result.returncode == 6 and "no horn results" in result.stderr
