"""``hornq measurement`` and ``hornq compare --measurement``: measured responses kept by name, beside the jobs."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.paths import Home
from engine.store.models import Measurement
from tests.conftest import Cli
from tests.tui.study_sample import populate_study

FREQS = [500.0, 1000.0, 2000.0, 4000.0, 8000.0]


def write_frd(path: Path, spl: list[float], freqs: list[float] = FREQS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("* measured\n" + "".join(f"{f!r}\t{s!r}\n" for f, s in zip(freqs, spl, strict=True)))
    return path


@pytest.fixture
def polar_set(tmp_path: Path) -> Path:
    """A small VituixCAD-named set: on axis, and 15° steps to 60° in both planes."""
    for plane in ("hor", "ver"):
        for angle in (0, 15, 30, 45, 60):
            write_frd(tmp_path / "wg" / f"wg {plane} {angle}.frd", [90.0 - angle / 10 + i for i in range(len(FREQS))])
    return tmp_path / "wg"


def test_a_measurement_is_added_listed_shown_and_removed(cli: Cli, polar_set: Path) -> None:
    added = cli.json("measurement", "add", "bench", str(polar_set), "--distance", "2")
    assert added["name"] == "bench" and added["kind"] == "horn"
    assert added["summary"] == "horizontal and vertical 0…60° (5 angles), 5 points 500–8000 Hz, no phase"
    assert [item["name"] for item in cli.json("measurement", "list")["items"]] == ["bench"]
    document = cli.json("measurement", "show", "bench")
    assert document["observation"] == {"distance_m": 2.0, "angles_deg": [0.0, 15.0, 30.0, 45.0, 60.0]}
    assert set(document["polar"]) == {"horizontal", "vertical"} and document["metadata"]["source"] == "measurement"
    shown = cli("measurement", "show", "bench").stdout
    assert "no directivity index" in shown and "wg hor 30.frd" in shown
    assert cli("measurement", "remove", "bench").stdout.strip() == "removed measurement 'bench'"
    assert cli.json("measurement", "list") == {"items": []}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["show", "nothing"], 4, "no measurement 'nothing'"),
        (["remove", "nothing"], 4, "no measurement 'nothing'"),
        (["add", "m", "missing.frd"], 2, "missing.frd: no such file or directory"),
        (["add", "m", "{bad}"], 3, "bad.frd, line 3: expected 'freq SPL [phase]'"),
        (["add", "m", "{bad}", "--distance", "-1"], 2, "--distance must be a positive number"),
    ],
)
def test_refusals_are_one_line_with_their_exit_code_and_store_nothing(
    cli: Cli, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    bad = tmp_path / "bad.frd"
    bad.write_text("* header\n100 85\n200 eighty\n")
    result = cli("measurement", *[arg.replace("{bad}", str(bad)) for arg in args], check=False)
    assert (result.returncode, result.stdout) == (code, "")
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert Measurement.select().count() == 0


def test_a_name_already_taken_is_a_conflict(cli: Cli, polar_set: Path) -> None:
    cli("measurement", "add", "bench", str(polar_set))
    result = cli("measurement", "add", "bench", str(polar_set / "wg hor 0.frd"), check=False)
    assert result.returncode == 6 and "a measurement named 'bench' exists" in result.stderr
    assert cli.json("measurement", "list")["items"][0]["summary"].startswith("horizontal and vertical")


@pytest.fixture
def study(home: Home) -> dict:
    return populate_study(home)


def add_on_axis_of(cli: Cli, job_id: str, name: str, tmp_path: Path) -> None:
    """A job's own on-axis response, 7 dB louder, as a one-file measurement: its shape is that job's."""
    results = cli.json("results", job_id)
    spl = [level + 7 for level in results["on_axis_spl_db"]]
    cli("measurement", "add", name, str(write_frd(tmp_path / f"{name}.frd", spl, results["frequencies_hz"])))


def test_compare_gives_each_job_its_deviation_from_each_measurement(cli: Cli, study: dict, tmp_path: Path) -> None:
    points = study["points"]
    add_on_axis_of(cli, points[40], "a40", tmp_path)
    document = cli.json("compare", "--study", "coverage", "--measurement", "a40")
    deviation = {row["study_values"]["a"]: row["deviation_db"]["a40"] for row in document["jobs"]}
    assert deviation[40] == 0 and deviation[45] > 0
    assert deviation[55] is None and deviation[60] is None
    assert all(set(ids) <= set(points.values()) for ids in document["best"].values())


def test_a_measured_polar_set_gets_the_metrics_its_data_allows(cli: Cli, study: dict, tmp_path: Path) -> None:
    """The a=40 point exported as FRD and added back: beamwidth and DI from its polars, nothing needing a config."""
    cli("export", study["points"][40], "--out", str(tmp_path / "frd"), "--name", "a40")
    cli("measurement", "add", "polars", str(tmp_path / "frd"))
    [measured] = cli.json("compare", study["points"][40], "--measurement", "polars")["measurements"]
    assert measured["name"] == "polars" and measured["measurement"] is True
    assert measured["metrics"]["bw_h_1k"] is not None and measured["metrics"]["di_mean"] is not None
    assert measured["metrics"]["control_h_hz"] is None and measured["metrics"]["z_ripple"] is None


def test_the_compare_table_has_a_deviation_column_and_a_row_per_measurement(
    cli: Cli, study: dict, tmp_path: Path
) -> None:
    add_on_axis_of(cli, study["points"][40], "a40", tmp_path)
    out = cli("compare", "--study", "coverage", "--measurement", "a40", "--metrics", "di_mean").stdout.splitlines()
    assert out[0].split() == ["ID", "JOB", "DI", "mean", "Δ", "a40"]
    assert next(row for row in out if row.startswith(study["points"][40][:8])).split()[-1] == "0.0*"
    assert next(row for row in out if row.startswith("measured")).split()[1] == "a40"
    assert "mean level difference removed" in out[-1]


def test_compare_refuses_an_unknown_measurement_like_an_unknown_job(cli: Cli, study: dict) -> None:
    result = cli("compare", "--study", "coverage", "--measurement", "nothing", check=False)
    assert result.returncode == 4 and "no measurement 'nothing'" in result.stderr
