"""Exports parse back to the results they came from and never write outside the chosen directory."""

from __future__ import annotations

import csv
import json
import os
import stat
from pathlib import Path

import pytest

from engine.solvers.horn.export import UnsafeExportPath, export_results


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def read_numeric_rows(path: Path) -> tuple[list[str], list[list[float]]]:
    """Split an FRD-style file into its `*` comment lines and its rows of numbers."""
    comments, rows = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("*"):
            comments.append(line)
        else:
            rows.append([float(value) for value in line.split()])
    return comments, rows


def test_frd_export_writes_one_file_per_plane_and_angle_named_like_ath(tmp_path: Path, synthetic_results: dict) -> None:
    written = export_results(synthetic_results, tmp_path, "frd", "wg1")
    names = {p.relative_to(tmp_path.resolve()).as_posix() for p in written}
    expected = {f"{d}/wg1 {a}.frd" for d in ("hor", "ver") for a in ("0", "7.5", "30", "90", "180")}
    assert names == expected | {"impedance.txt"}
    assert all(p.is_file() for p in written)


def test_frd_rows_are_freq_spl_and_phase_for_exp_plus_j_omega_t(tmp_path: Path, synthetic_results: dict) -> None:
    export_results(synthetic_results, tmp_path, "frd", "wg1")
    comments, rows = read_numeric_rows(tmp_path / "ver" / "wg1 30.frd")
    polar = synthetic_results["polar"]["vertical"]
    assert [row[0] for row in rows] == pytest.approx(synthetic_results["frequencies_hz"])
    assert [row[1] for row in rows] == pytest.approx([spl[2] for spl in polar["spl_db"]], abs=1e-4)
    assert [row[2] for row in rows] == pytest.approx([-phase[2] for phase in polar["phase_deg"]], abs=1e-4)
    header = "\n".join(comments)
    for fact in ("job-1234", "vertical", "30 deg", "2 m", "20 uPa", "exp(+j omega t)"):
        assert fact in header


def test_impedance_file_lists_real_and_imag_per_frequency(tmp_path: Path, synthetic_results: dict) -> None:
    export_results(synthetic_results, tmp_path, "frd", "wg1")
    comments, rows = read_numeric_rows(tmp_path / "impedance.txt")
    impedance = synthetic_results["throat_impedance"]
    assert comments
    assert [row[1] for row in rows] == pytest.approx(impedance["real"], abs=1e-6)
    assert [row[2] for row in rows] == pytest.approx([-x for x in impedance["imag"]], abs=1e-6)


def test_csv_export_is_one_tidy_row_per_frequency_plane_and_angle(tmp_path: Path, synthetic_results: dict) -> None:
    polar_csv, summary_csv = export_results(synthetic_results, tmp_path, "csv", "wg1")
    with polar_csv.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3 * 2 * 5
    row = next(
        r
        for r in rows
        if r["plane"] == "horizontal" and float(r["angle_deg"]) == 90.0 and r["frequency_hz"] == "2000.0"
    )
    assert float(row["spl_db"]) == pytest.approx(synthetic_results["polar"]["horizontal"]["spl_db"][1][3])
    assert float(row["phase_deg"]) == pytest.approx(synthetic_results["polar"]["horizontal"]["phase_deg"][1][3])
    with summary_csv.open(newline="") as handle:
        summary = list(csv.DictReader(handle))
    assert [float(r["directivity_index_db"]) for r in summary] == pytest.approx(
        synthetic_results["directivity_index_db"]
    )
    assert [float(r["throat_impedance_imag"]) for r in summary] == pytest.approx(
        synthetic_results["throat_impedance"]["imag"]
    )
    assert "beamwidth_6db_vertical_deg" in summary[0]


def test_json_export_round_trips_the_results(tmp_path: Path, synthetic_results: dict) -> None:
    (path,) = export_results(synthetic_results, tmp_path, "json", "wg1")
    assert path.name == "wg1.json"
    assert json.loads(path.read_text(encoding="utf-8")) == synthetic_results


def test_export_creates_private_directories_and_files(tmp_path: Path, synthetic_results: dict) -> None:
    out = tmp_path / "new" / "exports"
    written = export_results(synthetic_results, out, "frd", "wg1")
    assert mode(out.parent) == 0o700
    assert mode(out) == 0o700
    assert mode(out / "hor") == 0o700
    assert mode(out / "ver") == 0o700
    assert {mode(p) for p in written} == {0o600}


def test_export_over_an_existing_world_readable_file_makes_it_private(tmp_path: Path, synthetic_results: dict) -> None:
    existing = tmp_path / "wg1.json"
    existing.write_text("old")
    existing.chmod(0o644)
    export_results(synthetic_results, tmp_path, "json", "wg1")
    assert mode(existing) == 0o600
    assert json.loads(existing.read_text()) == synthetic_results


@pytest.mark.parametrize(
    "name",
    [
        "..",
        ".",
        "../escape",
        "/tmp/abs",
        "sub/name",
        "back\\slash",
        "nul\x00byte",
        "new\nline",
        "tab\tname",
        "",
        "  ",
    ],
)
def test_names_that_could_leave_the_directory_are_refused(tmp_path: Path, synthetic_results: dict, name: str) -> None:
    out = tmp_path / "out"
    with pytest.raises(UnsafeExportPath) as refused:
        export_results(synthetic_results, out, "json", name)
    assert "\n" not in str(refused.value)
    assert isinstance(refused.value, ValueError)
    assert not out.exists()


def test_symlinked_plane_directory_pointing_outside_is_refused(tmp_path: Path, synthetic_results: dict) -> None:
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (out / "hor").symlink_to(outside)
    with pytest.raises(UnsafeExportPath, match="outside"):
        export_results(synthetic_results, out, "frd", "wg1")
    assert list(outside.iterdir()) == []


def test_symlinked_file_pointing_outside_is_refused_and_left_untouched(tmp_path: Path, synthetic_results: dict) -> None:
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_text("keep me")
    (out / "wg1.json").symlink_to(victim)
    with pytest.raises(UnsafeExportPath, match="outside"):
        export_results(synthetic_results, out, "json", "wg1")
    assert victim.read_text() == "keep me"


def test_symlinked_output_directory_itself_is_followed(tmp_path: Path, synthetic_results: dict) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    (path,) = export_results(synthetic_results, tmp_path / "link", "json", "wg1")
    assert path == real.resolve() / "wg1.json"
    assert os.path.exists(real / "wg1.json")


def test_unknown_format_is_refused(tmp_path: Path, synthetic_results: dict) -> None:
    with pytest.raises(ValueError, match="format"):
        export_results(synthetic_results, tmp_path, "xlsx", "wg1")  # type: ignore[arg-type]
