"""Horn config validation: defaults, normalisation and one-line refusals naming the key."""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import meshio
import numpy as np
import pytest

from engine.errors import ConfigError
from engine.solvers.horn.config import HornConfig, sweep_frequencies
from engine.solvers.horn.spec import EXAMPLE_TOML, MAX_FREQUENCIES
from engine.solvers.horn.validation import parse

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ENGINE_KEYS = ("kind", "label", "executor")


def rosse(**horn: Any) -> dict[str, Any]:
    base = {
        "formula": "R-OSSE",
        "R": 130,
        "a": 40,
        "r0": 12.7,
        "a0": 9,
        "k": 1,
        "r": 0.25,
        "m": 0.8,
        "b": 0.25,
        "q": 3,
    }
    return {"horn": {**base, **horn}, "sweep": {"f_min": 200, "f_max": 2000, "n": 10}}


def with_section(raw: dict[str, Any], name: str, **values: Any) -> dict[str, Any]:
    return {**raw, name: {**raw.get(name, {}), **values}}


def from_toml(text: str) -> dict[str, Any]:
    raw = tomllib.loads(text)
    for key in ENGINE_KEYS:
        raw.pop(key, None)
    return raw


def refusal(raw: dict[str, Any], base_dir: Path = Path(".")) -> str:
    with pytest.raises(ConfigError) as caught:
        parse(raw, base_dir)
    message = str(caught.value)
    assert "\n" not in message
    return message


def write_tetra_msh(path: Path, tags: list[int]) -> Path:
    """A closed tetrahedron surface (mm) with one physical tag per face."""
    points = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0], [0, 0, 10]], dtype=float)
    faces = np.array([[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]])
    tag_array = np.array(tags)
    mesh = meshio.Mesh(
        points,
        [("triangle", faces)],
        cell_data={"gmsh:physical": [tag_array], "gmsh:geometrical": [tag_array]},
    )
    meshio.write(path, mesh, file_format="gmsh22", binary=False)
    return path


def test_example_toml_validates_as_an_rosse_horn() -> None:
    validated = parse(from_toml(EXAMPLE_TOML), Path("."))
    assert validated.summary == {
        "formula_type": "R-OSSE",
        "frequency_range": [200, 20000],
        "num_frequencies": 40,
        "sim_type": "2",
    }


@pytest.mark.parametrize(("name", "f_max"), [("rosse-40deg.toml", 20000), ("osse-90x60.toml", 16000)])
def test_shipped_examples_validate(name: str, f_max: int) -> None:
    path = EXAMPLES / name
    validated = parse(from_toml(path.read_text()), path.parent)
    assert validated.summary["frequency_range"] == [200, f_max]


def test_osse_example_keeps_its_azimuth_expression() -> None:
    path = EXAMPLES / "osse-90x60.toml"
    horn = parse(from_toml(path.read_text()), path.parent).config["horn"]
    assert horn["formula"] == "OS-SE"
    assert horn["a"] == "30 + 15*cos(p)^2"


def test_defaults_are_filled_in_every_section() -> None:
    config = parse(
        {
            "horn": {"formula": "R-OSSE", "R": 130, "a": 40, "r0": 12.7},
            "sweep": {"f_min": 200, "f_max": 2000},
        },
        Path("."),
    ).config
    assert {k: config["horn"][k] for k in ("a0", "k", "r", "m", "b", "q", "tmax", "wall_thickness")} == {
        "a0": 0.0,
        "k": 1.0,
        "r": 0.4,
        "m": 0.85,
        "b": 0.2,
        "q": 3.4,
        "tmax": 1.0,
        "wall_thickness": 3.0,
    }
    assert config["sweep"] == {"f_min": 200.0, "f_max": 2000.0, "n": 40, "spacing": "log"}
    assert config["observation"]["angles"] == [5.0 * i for i in range(37)]
    assert config["observation"]["planes"] == ["horizontal", "vertical"]
    assert (config["observation"]["distance"], config["observation"]["normalize_angle"]) == (2.0, 0.0)
    assert config["drive"] == {"velocity": 1.0, "acceleration": None}
    assert config["medium"] == {"c": 343.0, "rho": 1.205}


def test_auto_mesh_size_follows_the_wavelength_at_f_max() -> None:
    mesh = parse(rosse(), Path(".")).config["mesh"]
    assert mesh["size"] == "auto"
    assert mesh["mouth_size"] == pytest.approx(343_000 / (6 * 2000), abs=1e-3)
    assert mesh["throat_size"] < mesh["mouth_size"]


def test_normalised_config_is_json_and_validates_to_itself() -> None:
    config = parse(rosse(a="40 + 5*cos(p)^2"), Path(".")).config
    again = parse(json.loads(json.dumps(config)), Path(".")).config
    assert again == config


def test_constant_expression_is_stored_as_its_value() -> None:
    assert parse(rosse(a="30 + 10"), Path(".")).config["horn"]["a"] == 40.0


def test_angle_expression_out_of_range_at_some_azimuth_is_refused_naming_it() -> None:
    message = refusal(rosse(a="40 + 60*sin(p)"))
    assert message.startswith("horn.a:") and "out of range" in message and "at p =" in message


def test_negative_radius_is_refused_with_its_key_path() -> None:
    assert refusal(rosse(r0=-3)).startswith("horn.r0: -3 mm is out of range")


def test_rosse_without_a_real_length_is_refused() -> None:
    assert "no real length" in refusal(rosse(R=5, a0=0))


def test_f_min_not_below_f_max_is_refused() -> None:
    assert refusal(with_section(rosse(), "sweep", f_min=2000, f_max=2000)).startswith("sweep.f_min:")


def test_unknown_key_is_named_with_the_closest_known_one() -> None:
    raw = rosse()
    raw["horn"]["wall_thicknes"] = 4
    assert refusal(raw) == "horn.wall_thicknes: unknown key (did you mean 'wall_thickness'?)"


def test_unknown_key_differing_only_in_case_suggests_the_known_spelling() -> None:
    raw = rosse()
    raw["horn"]["R0"] = 12.7
    assert refusal(raw) == "horn.R0: unknown key (did you mean 'r0'?)"


def test_unknown_section_is_named() -> None:
    assert refusal({**rosse(), "sweeep": {}}).startswith("sweeep: unknown section [sweeep] (did you mean [sweep]?)")


def test_parameter_of_the_other_formula_is_refused_as_such() -> None:
    assert refusal(rosse(L=100)) == "horn.L: is an OS-SE parameter, not used by R-OSSE"


def test_wrong_type_is_named_with_the_expected_type() -> None:
    assert refusal(with_section(rosse(), "sweep", n="forty")) == "sweep.n: expected an integer, got a string ('forty')"
    assert refusal(rosse(r0="12.7")).startswith("horn.r0: expected a number")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused(value: float) -> None:
    assert "must be finite" in refusal(with_section(rosse(), "medium", c=value))


def test_too_many_frequencies_are_refused_with_the_limit() -> None:
    assert f"..{MAX_FREQUENCIES}" in refusal(with_section(rosse(), "sweep", n=MAX_FREQUENCIES + 1))


def test_f_max_above_100_khz_is_refused_with_the_limit() -> None:
    assert "100000" in refusal(with_section(rosse(), "sweep", f_max=200_000))


def test_velocity_and_acceleration_together_are_refused() -> None:
    assert "not both" in refusal(with_section(rosse(), "drive", velocity=1, acceleration=10))


def test_acceleration_drive_is_kept_instead_of_velocity() -> None:
    config = parse(with_section(rosse(), "drive", acceleration=9.81), Path(".")).config
    assert config["drive"] == {"velocity": None, "acceleration": 9.81}


def test_normalize_angle_must_be_an_observation_angle() -> None:
    assert refusal(with_section(rosse(), "observation", normalize_angle=7)).startswith("observation.normalize_angle")


def test_explicit_angle_list_replaces_start_end_step() -> None:
    config = parse(with_section(rosse(), "observation", angles=[0, 15, 30]), Path(".")).config
    assert config["observation"]["angles"] == [0.0, 15.0, 30.0]


def test_wall_thicker_than_the_mouth_bend_is_refused() -> None:
    assert refusal(rosse(wall_thickness=40)).startswith("horn.wall_thickness:")


def test_missing_mesh_file_is_refused(tmp_path: Path) -> None:
    message = refusal({**with_section(rosse(), "mesh", file="nope.msh")}, tmp_path)
    assert message == f"mesh.file: {tmp_path / 'nope.msh'} does not exist"


def test_mesh_file_that_is_not_msh_is_refused(tmp_path: Path) -> None:
    (tmp_path / "horn.stl").write_text("solid horn\nendsolid horn\n")
    assert "not a gmsh .msh file" in refusal(with_section(rosse(), "mesh", file="horn.stl"), tmp_path)


def test_mesh_file_without_source_tag_is_refused(tmp_path: Path) -> None:
    write_tetra_msh(tmp_path / "horn.msh", [1, 1, 3, 3])
    message = refusal({"mesh": {"file": "horn.msh"}, "sweep": {"f_min": 100, "f_max": 1000}}, tmp_path)
    assert "no triangles with physical tag 2" in message and "tags found: 1, 3" in message


def test_mesh_file_path_is_made_absolute_and_horn_may_be_absent(tmp_path: Path) -> None:
    write_tetra_msh(tmp_path / "horn.msh", [1, 2, 3, 3])
    validated = parse({"mesh": {"file": "horn.msh"}, "sweep": {"f_min": 100, "f_max": 1000}}, tmp_path)
    assert validated.config["mesh"]["file"] == str((tmp_path / "horn.msh").resolve())
    assert validated.config["mesh"]["scale"] == 0.001
    assert validated.config["horn"] is None
    assert validated.summary["formula_type"] == "file"


def test_log_sweep_is_geometric_between_the_end_points() -> None:
    frequencies = sweep_frequencies(parse(rosse(), Path(".")).config)
    assert frequencies[0] == pytest.approx(200) and frequencies[-1] == pytest.approx(2000)
    ratios = [b / a for a, b in itertools.pairwise(frequencies)]
    assert ratios == pytest.approx([10 ** (1 / 9)] * 9)


def test_linear_sweep_has_equal_steps() -> None:
    config = parse(with_section(rosse(), "sweep", spacing="linear", n=4, f_min=100, f_max=400), Path(".")).config
    assert sweep_frequencies(HornConfig.from_dict(config)) == pytest.approx([100, 200, 300, 400])


def test_horn_config_gives_the_profile_at_each_azimuth() -> None:
    cfg = HornConfig.from_dict(parse(rosse(a="40 + 5*cos(p)^2"), Path(".")).config)
    assert cfg.formula_type == "R-OSSE"
    assert cfg.horn is not None and not cfg.horn.axisymmetric
    assert cfg.horn.parameters_at(0.0)["a"] == pytest.approx(45.0)
    assert cfg.horn.profile(math.pi / 2, 5)[-1][1] == pytest.approx(130.0)


def test_validation_imports_neither_numpy_nor_gmsh() -> None:
    code = (
        "import sys; from pathlib import Path; from engine.solvers.horn.validation import parse; "
        "parse({'horn': {'formula': 'R-OSSE', 'R': 130, 'a': '40 + 5*cos(p)', 'r0': 12.7}, "
        "'sweep': {'f_min': 100, 'f_max': 1000}}, Path('.')); "
        "print(sorted(m for m in ('numpy', 'gmsh', 'meshio', 'bempp_cl') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.strip() == "[]"


def test_auto_mesh_with_different_explicit_sizes_is_refused() -> None:
    raw = with_section(rosse(), "mesh", size="auto", throat_size=3)
    assert refusal(raw).startswith("mesh.throat_size: conflicts with mesh.size")


def test_solver_defaults_settle_symmetry_from_the_geometry_and_leave_the_backend_to_the_worker() -> None:
    config = parse(with_section(rosse(), "solver", method="3d"), Path(".")).config
    assert config["solver"] == {"method": "3d", "backend": "auto", "precision": "auto", "symmetry": "quarter"}
    assert config["mesh"]["banded"] is True
    assert parse(rosse(a="45 + 10*cos(p)"), Path(".")).config["solver"]["symmetry"] == "half"
    assert parse(rosse(a="45 + 10*sin(p)"), Path(".")).config["solver"]["symmetry"] == "none"


def test_the_triangle_budget_grows_with_the_symmetry_a_model_is_solved_with() -> None:
    path = EXAMPLES / "osse-90x60.toml"
    to_20k = with_section(from_toml(path.read_text()), "sweep", f_max=20000)  # about 42,000 triangles
    assert parse(to_20k, path.parent).config["solver"]["symmetry"] == "quarter"
    assert parse(with_section(to_20k, "solver", symmetry="half"), path.parent).config["solver"]["symmetry"] == "half"
    message = refusal(with_section(to_20k, "solver", symmetry="none"), path.parent)
    assert message.startswith("mesh: about 4") and "the limit is 30,000" in message


def test_a_symmetry_the_geometry_does_not_have_is_refused_naming_what_it_allows() -> None:
    message = refusal(with_section(rosse(a="45 + 10*cos(p)"), "solver", symmetry="quarter"))
    assert message.startswith("solver.symmetry:") and '"half"' in message


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("solver", "backend", "cuda"),
        ("solver", "precision", "half"),
        ("solver", "symmetry", "octant"),
        ("mesh", "banded", "yes"),
    ],
)
def test_bad_solver_choices_are_refused_by_name(section: str, key: str, value: str) -> None:
    assert refusal(with_section(rosse(), section, **{key: value})).startswith(f"{section}.{key}:")


def test_configs_stored_before_solver_settings_load_and_solve_whole() -> None:
    config = parse(rosse(), Path(".")).config
    stored_before_bands = {**config, "mesh": {k: v for k, v in config["mesh"].items() if k != "banded"}}
    stored_before_bands.pop("solver")
    legacy = HornConfig.from_dict(stored_before_bands)
    assert (legacy.mesh.banded, legacy.solver.symmetry, legacy.solver.backend) == (True, "none", "auto")
    assert legacy.solver.method == "3d"
