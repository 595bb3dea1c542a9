"""Importing ATH configs: ATH's syntax and names become a hornq horn config that validates, builds the same
profile as the same parameters written in TOML, and names every ATH key it does not use."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from engine.errors import ConfigError
from engine.solvers.horn.ath import import_config
from engine.solvers.horn.config import HornGeometry
from engine.solvers.horn.validation import parse

ROSSE = """; R-OSSE waveguide for a 1" driver
R-OSSE = {
  R = 130          ; mouth radius [mm]
  a = 40 + 8*cos(p)^2
  r0 = 12.7
  a0 = 9
  k = 1
  r = 0.25
  m = 0.8
  b = 0.25
  q = 3
}
Mesh.WallThickness = 5
Mesh.ThroatResolution = 4
Mesh.MouthResolution = 10
"""
ROSSE_AS_TOML = """
[horn]
formula = "R-OSSE"
R = 130
a = "40 + 8*cos(p)^2"
r0 = 12.7
a0 = 9
k = 1
r = 0.25
m = 0.8
b = 0.25
q = 3
wall_thickness = 5
[mesh]
throat_size = 4
mouth_size = 10
[sweep]
f_min = 200
f_max = 20000
"""
OSSE_FLAT = """
Throat.Profile = 1 ; OS-SE
Throat.Diameter = 25.4
Throat.Angle = 10
Length = 120
Coverage.Angle = 45 - 10*sin(p)^2
Term.s = 0.7
Term.n = 4
Term.q = 0.995
OS.k = 1
"""
SWEEP_AND_POLARS = """
ABEC.SimType = 2
ABEC.f1 = 1e2
ABEC.f2 = 2e4
ABEC.NumFrequencies = 60
ABEC.Abscissa = 2
ABEC.Polars:SPL_H = {
  MapAngleRange = 0,90,10
  Distance = 3
  NormAngle = 7
}
ABEC.Polars:SPL_V = {
  MapAngleRange = 0,90,10
  Distance = 3
  Inclination = 270
}
ABEC.Polars:SPL_D = {
  MapAngleRange = 0,90,10
  Inclination = 45
}
"""


def imported(text: str) -> tuple[dict, list[str], str]:
    result = import_config(text, "design.cfg")
    assert result is not None
    return result.raw, result.notes, result.toml


def validated(raw: dict) -> dict:
    return parse({key: value for key, value in raw.items() if key not in ("kind", "label")}, Path(".")).config


def test_an_imported_rosse_builds_the_profile_of_the_same_parameters_written_as_toml() -> None:
    from_ath = HornGeometry.from_horn(validated(imported(ROSSE)[0])["horn"])
    from_toml = HornGeometry.from_horn(parse(tomllib.loads(ROSSE_AS_TOML), Path(".")).config["horn"])
    for azimuth in (0.0, 0.7, 1.5708):
        assert from_ath.profile(azimuth, 50) == from_toml.profile(azimuth, 50)


def test_the_written_toml_reads_back_as_the_imported_config() -> None:
    raw, _, toml = imported(ROSSE + SWEEP_AND_POLARS)
    assert validated(tomllib.loads(toml)) == validated(raw)


def test_throat_diameter_becomes_the_throat_radius_and_the_osse_names_map() -> None:
    horn = validated(imported(OSSE_FLAT)[0])["horn"]
    assert horn["formula"] == "OS-SE"
    assert (horn["r0"], horn["a0"], horn["L"], horn["k"]) == (12.7, 10.0, 120.0, 1.0)
    assert horn["a"] == "45 - 10*sin(p)^2"
    assert (horn["s"], horn["n"], horn["q"]) == (0.7, 4.0, 0.995)


def test_scale_multiplies_the_profile_lengths() -> None:
    horn = imported("Scale = 0.5\n" + OSSE_FLAT)[0]["horn"]
    assert (horn["r0"], horn["L"], horn["a0"]) == (6.35, 60.0, 10.0)


def test_an_osse_block_takes_short_names_and_wins_over_top_level_keys() -> None:
    raw, notes, _ = imported("Length = 180\nOSSE = {\n  L = 160\n  a = 50\n  r0 = 12.7\n  a0 = 8\n}\n")
    assert raw["horn"]["L"] == 160
    assert notes == ["line 1: Length = 180: ATH uses the OSSE block's L (line 3)"]
    validated(raw)


def test_a_mesh_block_says_the_same_as_dotted_keys() -> None:
    block = imported(ROSSE.replace("Mesh.ThroatResolution = 4", "Mesh = {\n  ThroatResolution = 4\n}"))[0]
    assert block["mesh"] == imported(ROSSE)[0]["mesh"]


def test_missing_resolutions_take_the_ath_defaults() -> None:
    raw = imported(OSSE_FLAT)[0]
    assert raw["mesh"] == {"throat_size": 4.0, "mouth_size": 8.0}


def test_abec_sweep_settings_become_the_sweep() -> None:
    sweep = validated(imported(ROSSE + SWEEP_AND_POLARS)[0])["sweep"]
    assert sweep == {"f_min": 100.0, "f_max": 20000.0, "n": 60, "spacing": "linear"}


def test_polar_blocks_become_the_observation_planes_and_angles() -> None:
    observation = validated(imported(ROSSE + SWEEP_AND_POLARS)[0])["observation"]
    assert observation["planes"] == ["horizontal", "vertical"]
    assert observation["angles"] == [10.0 * i for i in range(10)]
    assert observation["distance"] == 3.0
    assert observation["normalize_angle"] == 10.0


def test_a_diagonal_plane_and_a_norm_angle_between_polar_angles_are_noted() -> None:
    notes = imported(ROSSE + SWEEP_AND_POLARS)[1]
    assert len(notes) == 2
    assert notes[0].startswith("line 25: ABEC.Polars:SPL_H.NormAngle = 7: not one of the polar angles")
    assert notes[1].startswith("line 34: ABEC.Polars:SPL_D.Inclination = 45: hornq computes horizontal and vertical")


@pytest.mark.parametrize(
    ("quadrants", "symmetry"), [("1", "quarter"), ("12", "half"), ("14", "none"), ("1234", "none")]
)
def test_mesh_quadrants_choose_the_symmetry_of_a_horn_varying_with_azimuth(quadrants: str, symmetry: str) -> None:
    raw = imported(ROSSE + f"Mesh.Quadrants = {quadrants}\n")[0]
    assert validated(raw)["solver"]["symmetry"] == symmetry


def test_mesh_quadrants_leave_a_round_horn_to_the_axisymmetric_solve() -> None:
    raw = imported(ROSSE.replace("40 + 8*cos(p)^2", "40") + "Mesh.Quadrants = 1\n")[0]
    assert "solver" not in raw
    assert validated(raw)["solver"]["method"] == "axisymmetric"


def test_every_unused_key_is_one_note_with_its_line_also_in_the_toml() -> None:
    text = (
        ROSSE
        + "Morph.TargetShape = 1\nSource.Shape = 2\nMade.Up = 3\nmy_plan = {\n  point P0 100 0 8\n  point P1 0 9 8\n}\n"
    )
    _, notes, toml = imported(text)
    assert notes == [
        "line 16: Morph.TargetShape = 1: hornq does not morph the mouth; the horn keeps its profile's cross-section",
        "line 17: Source.Shape = 2: hornq drives the flat throat disc with a uniform velocity ([drive])",
        "line 18: Made.Up = 3: hornq has no matching setting",
        "line 20: my_plan = { point P0 100 0 8 }: hornq has no matching setting",
    ]
    assert all(f"#   {note}" in toml for note in notes)


def test_switched_off_and_empty_entries_are_ignored() -> None:
    text = ROSSE + "_Morph.TargetShape = 1\n_Parked = {\n  Inner = {\n    x = 1\n  }\n}\nMesh.SubdomainSlices =\n"
    assert imported(text)[1] == []


def test_a_block_may_open_on_the_line_below_its_name() -> None:
    assert imported(ROSSE.replace("R-OSSE = {", "R-OSSE =\n{"))[0]["horn"] == imported(ROSSE)[0]["horn"]


def test_a_key_set_twice_uses_the_later_value() -> None:
    raw, notes, _ = imported(ROSSE + "Mesh.ThroatResolution = 3\n")
    assert raw["mesh"]["throat_size"] == 3.0
    assert notes == ["line 14: Mesh.ThroatResolution = 4: set again on line 16, which is used"]


def test_constant_arithmetic_is_evaluated() -> None:
    assert imported(OSSE_FLAT.replace("25.4", "2*12.7"))[0]["horn"]["r0"] == 12.7


def test_a_toml_file_is_not_taken_for_an_ath_config() -> None:
    assert import_config(ROSSE_AS_TOML, "horn.toml") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (ROSSE.replace("}\n", ""), "line 2: block 'R-OSSE' is never closed"),
        (ROSSE + "}\n", "line 16: '}' closes no block"),
        (
            ROSSE + "# a comment\n",
            "line 16: cannot read '# a comment': expected Key = value (ATH comments start with ';')",
        ),
        (
            ROSSE.replace("40 + 8*cos(p)^2", "40 + floor(p)"),
            "line 4: R-OSSE.a: expression '40 + floor(p)' uses the unknown name",
        ),
        (ROSSE.replace("r0 = 12.7", "r0 = 12.7 + sin(p)"), "line 5: R-OSSE.r0: hornq needs a number here"),
        (
            OSSE_FLAT.replace("= 1 ;", "= 3 ;"),
            "line 2: Throat.Profile = 3: hornq builds the OS-SE throat profile (1) only",
        ),
        (OSSE_FLAT.replace("Length = 120\n", ""), "the OS-SE profile has no Length"),
    ],
)
def test_a_malformed_file_is_one_error_naming_its_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        import_config(text, "design.cfg")
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
