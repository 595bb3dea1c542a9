"""Measured responses: FRD files and polar sets read into a results-shaped document, and deviation from one."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from engine.solvers.horn.export import export_results
from engine.solvers.horn.measurement.deviation import on_axis_deviation
from engine.solvers.horn.measurement.document import measurement_document
from engine.solvers.horn.measurement.files import plane_and_angle
from engine.solvers.horn.measurement.frd import MeasurementError, parse

RESULTS = Path(__file__).resolve().parent.parent / "tui" / "data" / "results.json"
FREQS = [250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0]
HALF_WIDTH_DEG = 45.0


def level(angle: float) -> list[float]:
    """A horn holding 90° at every frequency: 6 dB down at 45°, falling as the square of the angle."""
    return [90.0 - 6.0 * (angle / HALF_WIDTH_DEG) ** 2 + 0.1 * i for i in range(len(FREQS))]


def write_frd(path: Path, freqs: list[float], spl: list[float], phase: list[float] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = [freqs, spl] if phase is None else [freqs, spl, phase]
    rows = [" ".join(f"{value!r}" for value in row) for row in zip(*columns, strict=True)]
    path.write_text("* measured\n" + "\n".join(rows) + "\n")
    return path


def write_polar_set(root: Path, name_of: Callable[[str, float], str], angles: list[float]) -> Path:
    for plane in ("hor", "ver"):
        for angle in angles:
            write_frd(root / name_of(plane, angle), FREQS, level(abs(angle)))
    return root


def test_an_frd_file_with_comments_header_text_tabs_and_commas_is_read() -> None:
    text = (
        '* REW export\n# another comment\n; and another\n"quoted note"\n\n'
        "Freq(Hz) SPL(dB) Phase(degrees)\n"
        "100, 85.5, -10\n"
        "200\t86.0\t-20.5\n"
        "400  87.25  170  0.99\n"
    )
    response = parse(text, "m.frd")
    assert response.frequencies == (100.0, 200.0, 400.0)
    assert response.spl == (85.5, 86.0, 87.25)
    assert response.phase == (-10.0, -20.5, 170.0)


def test_phase_is_optional_and_stays_null_in_the_document(tmp_path: Path) -> None:
    assert parse("100 85\n200 86\n", "m.frd").phase is None
    write_frd(tmp_path / "set" / "m 0.frd", FREQS, level(0))
    write_frd(tmp_path / "set" / "m hor 30.frd", FREQS, level(30))
    document = measurement_document([tmp_path / "set"])
    assert document["polar"]["horizontal"]["phase_deg"][0] == [None, None]
    assert document["metadata"]["summary"].endswith("no phase")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("* h\n100 85\n200 abc\n", "m.frd, line 3: expected 'freq SPL [phase]'"),
        ("100 85\n100 86\n", "m.frd, line 2: frequency 100 Hz does not follow 100 Hz"),
        ("100 85 10\n200 86\n", "m.frd, line 2: some rows have a phase column and others not"),
        ("0 85\n200 86\n", "m.frd, line 1: frequency 0 Hz is not positive"),
        ("100 nan\n200 86\n", "m.frd, line 1: values must be finite"),
        ("* nothing here\n100 85\n", "m.frd: fewer than two rows"),
    ],
)
def test_a_bad_file_is_refused_in_one_line_naming_file_and_line(text: str, message: str) -> None:
    with pytest.raises(MeasurementError) as refused:
        parse(text, "m.frd")
    assert message in str(refused.value) and "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("name", "plane", "angle"),
    [
        ("hor/wg 30.frd", "horizontal", 30.0),
        ("ver/wg -15.frd", "vertical", -15.0),
        ("hor/wg1 7.5.frd", "horizontal", 7.5),
        ("wg hor 30.frd", "horizontal", 30.0),
        ("wg_hor_30.frd", "horizontal", 30.0),
        ("wg hor-30.frd", "horizontal", -30.0),
        ("wg_vertical_15deg.frd", "vertical", 15.0),
        ("wg_H30.frd", "horizontal", 30.0),
        ("wg V-15.frd", "vertical", -15.0),
        ("wg 0.frd", None, 0.0),
        ("wg hor 270.frd", "horizontal", -90.0),
        ("Driver 30.frd", None, 30.0),
        ("horn2.frd", None, None),
        ("hor/wg hor 2 30.frd", "horizontal", 30.0),
    ],
)
def test_file_names_give_the_plane_and_angle_of_a_polar_response(name: str, plane: str | None, angle: float) -> None:
    assert plane_and_angle(Path(name)) == (plane, angle)


def test_one_file_is_the_on_axis_response_without_polars(tmp_path: Path) -> None:
    document = measurement_document([write_frd(tmp_path / "horn2.frd", FREQS, level(0))])
    assert document["on_axis_spl_db"] == pytest.approx(level(0))
    assert (document["polar"], document["directivity_index_db"], document["beamwidth_6db_deg"]) == ({}, None, {})
    assert document["observation"]["angles_deg"] == []
    assert document["metadata"]["notes"] == ["the on-axis response only, no polars"]


def test_a_vituixcad_named_set_gives_both_planes_with_beamwidth_and_directivity(tmp_path: Path) -> None:
    angles = [float(a) for a in range(0, 181, 10)]
    root = write_polar_set(tmp_path / "wg", lambda plane, a: f"wg {plane} {a:g}.frd", angles)
    document = measurement_document([root], distance_m=2.0)
    assert document["frequencies_hz"] == FREQS
    assert document["observation"] == {"distance_m": 2.0, "angles_deg": angles}
    assert list(document["polar"]) == ["horizontal", "vertical"]
    assert document["polar"]["vertical"]["spl_db"][0][3] == pytest.approx(level(30)[0])
    assert document["on_axis_spl_db"] == pytest.approx(level(0))
    # The −6 dB crossing is interpolated linearly between 40° and 50°, where the level falls as θ².
    assert document["beamwidth_6db_deg"]["horizontal"] == pytest.approx([90.0] * len(FREQS), abs=1.0)
    assert len(document["directivity_index_db"]) == len(FREQS)
    assert document["metadata"]["source"] == "measurement" and document["metadata"]["notes"] == []


def test_plane_directories_and_joined_letters_read_alike(tmp_path: Path) -> None:
    angles = [0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    ath = write_polar_set(tmp_path / "ath", lambda plane, a: f"{plane}/wg {a:g}.frd", angles)
    rew = write_polar_set(tmp_path / "rew", lambda plane, a: f"wg_{plane[0].upper()}{a:g}.frd", angles)
    first, second = measurement_document([ath]), measurement_document([rew])
    for key in ("frequencies_hz", "observation", "on_axis_spl_db", "polar", "beamwidth_6db_deg"):
        assert first[key] == second[key]
    assert first["directivity_index_db"] is None
    assert any("no directivity index" in note for note in first["metadata"]["notes"])


def test_negative_angles_stand_in_for_missing_positive_ones_and_are_left_out_otherwise(tmp_path: Path) -> None:
    root = tmp_path / "set"
    write_frd(root / "m 0.frd", FREQS, level(0))
    write_frd(root / "m hor 15.frd", FREQS, level(15))
    write_frd(root / "m hor -15.frd", FREQS, [s - 3 for s in level(15)])
    write_frd(root / "m hor -30.frd", FREQS, level(30))
    document = measurement_document([root])
    assert document["observation"]["angles_deg"] == [0.0, 15.0, 30.0]
    assert [row[1] for row in document["polar"]["horizontal"]["spl_db"]] == pytest.approx(level(15))
    assert document["metadata"]["angles"]["mirrored"] == {"horizontal": [30.0]}
    assert document["metadata"]["angles"]["ignored_negative"] == {"horizontal": [-15.0]}


def test_files_on_other_grids_are_resampled_in_log_frequency_with_phase_unwrapped(tmp_path: Path) -> None:
    """SPL and phase linear in log frequency interpolate exactly, but only if the phase is unwrapped first."""

    def spl(f: float) -> float:
        return 80 + 3 * math.log2(f)

    def phase(f: float) -> float:  # the file's e^(+jωt) phase, 400° per octave before wrapping
        return 400 * math.log2(f / 100)

    def wrapped(p: float) -> float:
        return 180 - (180 - p) % 360

    axis = [100 * 2 ** (i / 4) for i in range(25)]
    other = [90 * 2 ** (i / 3) for i in range(21)]
    write_frd(tmp_path / "m 0.frd", axis, [spl(f) for f in axis], [wrapped(phase(f)) for f in axis])
    write_frd(tmp_path / "m hor 30.frd", other, [spl(f) for f in other], [wrapped(phase(f)) for f in other])
    document = measurement_document([tmp_path / "m 0.frd", tmp_path / "m hor 30.frd"])
    grid = document["frequencies_hz"]
    assert grid == pytest.approx([f for f in axis if f <= other[-1]])
    column = [row[1] for row in document["polar"]["horizontal"]["phase_deg"]]
    expected = [wrapped(-phase(f)) for f in grid]
    assert np.allclose(np.mod(np.subtract(column, expected) + 180, 360) - 180, 0, atol=1e-6)
    assert [row[1] for row in document["polar"]["horizontal"]["spl_db"]] == pytest.approx([spl(f) for f in grid])
    assert document["metadata"]["resampled"]["files"] == [str(tmp_path / "m hor 30.frd")]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["m hor 30.frd", "m_hor_30.frd"], "are both horizontal 30°"),
        (["m hor 30.frd", "m ver 30.frd"], "no on-axis (0°) response"),
        (["m 0.frd", "loose.frd"], "loose.frd: cannot tell its angle from its name"),
    ],
)
def test_an_ambiguous_set_is_refused_naming_the_files(tmp_path: Path, names: list[str], message: str) -> None:
    for name in names:
        write_frd(tmp_path / name, FREQS, level(0))
    with pytest.raises(MeasurementError) as refused:
        measurement_document([tmp_path])
    assert message in str(refused.value)


def test_a_hornq_frd_export_imports_back_as_the_jobs_polars(tmp_path: Path) -> None:
    results = json.loads(RESULTS.read_text())
    export_results(results, tmp_path, "frd", "wg")
    document = measurement_document([tmp_path])
    assert document["frequencies_hz"] == pytest.approx(results["frequencies_hz"])
    assert document["observation"]["angles_deg"] == results["observation"]["angles_deg"]
    assert document["on_axis_spl_db"] == pytest.approx(results["on_axis_spl_db"], abs=1e-4)
    for plane, data in results["polar"].items():
        assert np.allclose(document["polar"][plane]["spl_db"], data["spl_db"], atol=1e-4)
        phase_error = np.subtract(document["polar"][plane]["phase_deg"], data["phase_deg"])
        assert np.allclose(np.mod(phase_error + 180, 360) - 180, 0, atol=1e-4)
        assert document["beamwidth_6db_deg"][plane] == pytest.approx(results["beamwidth_6db_deg"][plane], abs=0.05)
    assert document["directivity_index_db"] == pytest.approx(results["directivity_index_db"], abs=0.01)
    assert document["metadata"]["resampled"] is None and "impedance.txt" not in json.dumps(document["metadata"])


def test_deviation_ignores_the_level_difference_and_measures_the_shape() -> None:
    freqs = [1000.0 * 2 ** (i / 3) for i in range(13)]  # 1–16 kHz
    measured = {"frequencies_hz": freqs, "on_axis_spl_db": [80.0 + math.sin(i) for i in range(13)]}
    louder = {"frequencies_hz": freqs, "on_axis_spl_db": [s + 12 for s in measured["on_axis_spl_db"]]}
    tilted = {
        "frequencies_hz": freqs,
        "on_axis_spl_db": [s + 2 * math.log(f) for s, f in zip(measured["on_axis_spl_db"], freqs, strict=True)],
    }
    assert on_axis_deviation(louder, measured, (1000.0, 16000.0)) == 0
    # A difference linear in ln f over a width w has an rms about its mean of slope · w / √12.
    width = math.log(8000 / 2000)
    assert on_axis_deviation(tilted, measured, (2000.0, 8000.0)) == pytest.approx(2 * width / math.sqrt(12), abs=1e-4)
    assert on_axis_deviation(louder, measured, (20.0, 500.0)) is None
