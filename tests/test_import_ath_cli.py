"""``hornq import-ath`` and ``hornq submit`` of an ATH config, through the real command line."""

from __future__ import annotations

import tomllib
from pathlib import Path

ATH = """; OS-SE waveguide, 90 x 60 degrees
Throat.Diameter = 25.4 ; [mm]
Throat.Angle = 10
Length = 100
Coverage.Angle = 45 - 15*sin(p)^2
Term.s = 0.7
Term.n = 4
Term.q = 0.995
Morph.TargetShape = 1
Mesh.Quadrants = 1
Mesh.ThroatResolution = 5
Mesh.MouthResolution = 10
ABEC.f1 = 500
ABEC.f2 = 5000
ABEC.NumFrequencies = 10
Report = {
  Title = "ath 90x60"
}
"""
NOTE = "line 9: Morph.TargetShape = 1: hornq does not morph the mouth"


def write(tmp_path: Path, text: str, name: str = "waveguide.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def queued(cli) -> list[tuple[str, str, str]]:
    """(id, label, formula) of the queued jobs."""
    jobs = cli.json("jobs")["items"]
    return [
        (job["id"], job["label"], job["config_summary"]["formula_type"]) for job in jobs if job["status"] == "queued"
    ]


def test_import_ath_prints_the_horn_config_and_notes_the_unused_keys(cli, tmp_path: Path) -> None:
    result = cli("import-ath", str(write(tmp_path, ATH)))
    config = tomllib.loads(result.stdout)
    assert config["kind"] == "horn"
    assert config["horn"]["r0"] == 12.7
    assert config["solver"]["symmetry"] == "quarter"
    assert result.stderr.splitlines() == [
        f"note: {tmp_path / 'waveguide.txt'}: {NOTE}; the horn keeps its profile's cross-section"
    ]


def test_import_ath_writes_a_file_that_submits(cli, tmp_path: Path) -> None:
    out = tmp_path / "horn.toml"
    cli("import-ath", str(write(tmp_path, ATH)), "-o", str(out))
    job_id = cli("submit", "--no-start", str(out)).stdout.strip()
    assert queued(cli) == [(job_id, "ath 90x60", "OS-SE")]


def test_submit_takes_an_ath_config_as_it_is_and_notes_each_unused_key_once(cli, tmp_path: Path) -> None:
    result = cli("submit", "--no-start", str(write(tmp_path, ATH, "design.cfg")))
    assert queued(cli) == [(result.stdout.strip(), "ath 90x60", "OS-SE")]
    assert [line for line in result.stderr.splitlines() if line.startswith("note:")] == [
        f"note: {tmp_path / 'design.cfg'}: {NOTE}; the horn keeps its profile's cross-section"
    ]


def test_a_malformed_ath_config_is_one_line_naming_file_and_line(cli, tmp_path: Path) -> None:
    path = write(tmp_path, ATH.replace("Length = 100", "Length = 100 +"))
    result = cli("submit", "--no-start", str(path), check=False)
    assert result.returncode == 3
    assert result.stderr == f"hornq: {path}: line 4: Length: expression '100 +' ends too early\n"


def test_import_ath_refuses_a_file_that_is_not_an_ath_config(cli, tmp_path: Path) -> None:
    result = cli("import-ath", str(write(tmp_path, "[horn]\nR = 1\n", "horn.toml")), check=False)
    assert result.returncode == 3
    assert "not an ATH config" in result.stderr


def test_submit_reads_an_ath_config_saved_in_a_windows_code_page(cli, tmp_path: Path) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes(ATH.replace("; [mm]", "; [mm], 10° exit").encode("cp1252"))
    job_id = cli("submit", "--no-start", str(path)).stdout.strip()
    assert queued(cli) == [(job_id, "ath 90x60", "OS-SE")]
