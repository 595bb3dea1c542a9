"""Choosing the axisymmetric method, and the outlines it solves: from a round horn's profile or a user's line mesh."""

from __future__ import annotations

import math
from pathlib import Path

import meshio
import numpy as np
import pytest

from engine.solvers.horn.axisymmetric.generatrix import (
    Generatrix,
    horn_outline,
    outline_bands,
    outline_sizes,
    read_outline,
    write_outline,
)
from engine.solvers.horn.config import HornConfig
from engine.solvers.horn.constants import SECONDARY, SOURCE, WALL
from engine.solvers.horn.meshfile import MeshError
from engine.solvers.horn.validation import parse

from .test_config import refusal, rosse, with_section, write_tetra_msh


def sphere_outline(radius: float = 0.1, elements: int = 24, cap_deg: float = 30.0) -> Generatrix:
    """A sphere from its north pole to its south pole, the polar cap of ``cap_deg`` the source."""
    theta = np.linspace(0.0, math.pi, elements + 1)
    points = np.column_stack([radius * np.sin(theta), radius * np.cos(theta)])
    middle = (theta[:-1] + theta[1:]) / 2
    return Generatrix.chain(points, np.where(middle < math.radians(cap_deg), SOURCE, WALL))


def profile_config(path: Path, **solver: str) -> dict:
    raw = {"mesh": {"file": str(path), "scale": 1.0, "axisymmetric": True}, "sweep": {"f_min": 200, "f_max": 2000}}
    return with_section(raw, "solver", **solver) if solver else raw


@pytest.fixture
def sphere_profile(tmp_path: Path) -> Path:
    path = tmp_path / "sphere-profile.msh"
    write_outline(sphere_outline(), path)
    return path


def test_a_round_horn_is_solved_axisymmetrically_by_default() -> None:
    solver = parse(rosse(), Path(".")).config["solver"]
    assert (solver["method"], solver["symmetry"]) == ("axisymmetric", "none")


def test_a_horn_whose_angles_vary_with_the_azimuth_is_solved_in_3d_by_default() -> None:
    assert parse(rosse(a="45 + 10*cos(p)"), Path(".")).config["solver"]["method"] == "3d"


def test_the_axisymmetric_method_on_a_horn_that_is_not_round_is_refused_naming_what_varies() -> None:
    message = refusal(with_section(rosse(a="45 + 10*cos(p)"), "solver", method="axisymmetric"))
    assert message.startswith('solver.method: "axisymmetric" needs a body of revolution') and "horn.a" in message


def test_mirror_planes_with_the_axisymmetric_method_are_refused() -> None:
    assert refusal(with_section(rosse(), "solver", symmetry="quarter")).startswith('solver.symmetry: "quarter"')


def test_an_outline_is_not_held_to_the_3d_mesh_budget() -> None:
    fine = with_section(with_section(rosse(), "sweep", f_max=20000), "mesh", size="auto")
    assert parse(fine, Path(".")).config["solver"]["method"] == "axisymmetric"
    assert refusal(with_section(fine, "solver", method="3d", symmetry="none")).startswith("mesh: about")


def test_mesh_axisymmetric_without_a_file_is_refused() -> None:
    assert refusal(with_section(rosse(), "mesh", axisymmetric=True)).startswith("mesh.axisymmetric:")


def test_a_profile_file_is_solved_axisymmetrically_and_refused_for_3d(sphere_profile: Path) -> None:
    config = parse(profile_config(sphere_profile), Path(".")).config
    assert (config["solver"]["method"], config["mesh"]["axisymmetric"]) == ("axisymmetric", True)
    assert refusal(profile_config(sphere_profile, method="3d")).startswith('solver.method: "3d" cannot')


def test_the_axisymmetric_method_on_a_surface_mesh_is_refused(tmp_path: Path) -> None:
    surface = write_tetra_msh(tmp_path / "tetra.msh", [2, 1, 1, 1])
    raw = {"mesh": {"file": str(surface)}, "sweep": {"f_min": 200, "f_max": 2000}, "solver": {"method": "axisymmetric"}}
    assert "mesh.axisymmetric = true" in refusal(raw)
    marked = {**raw, "mesh": {"file": str(surface), "axisymmetric": True}}
    assert refusal(marked).startswith("mesh.file: tetra.msh: no line elements")


def test_horn_outline_closes_the_body_from_the_axis_back_to_the_axis_with_outward_normals() -> None:
    cfg = HornConfig.from_dict(parse(rosse(), Path(".")).config)
    outline = horn_outline(cfg.horn, 3.0, 8.0)
    assert outline.nodes[0, 0] == 0.0 and outline.nodes[-1, 0] == 0.0
    assert np.all(outline.nodes[:, 0] >= 0.0)
    tags = outline.tags.tolist()
    runs = [tag for i, tag in enumerate(tags) if i == 0 or tags[i - 1] != tag]
    assert runs == [SOURCE, WALL, SECONDARY]
    np.testing.assert_allclose(outline.normals[0], [0.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(outline.normals[-1], [0.0, -1.0], atol=1e-12)
    source_area = outline.areas[outline.tags == SOURCE].sum()
    assert source_area == pytest.approx(math.pi * 0.0127**2, rel=1e-9)
    assert outline.nodes[-1, 1] == pytest.approx(-0.003)


def test_horn_outline_elements_keep_to_the_sizes_and_are_finer_at_the_throat() -> None:
    cfg = HornConfig.from_dict(parse(rosse(), Path(".")).config)
    outline = horn_outline(cfg.horn, 2.0, 8.0)
    assert outline.lengths.max() <= 0.008 + 1e-9
    wall = outline.lengths[outline.tags == WALL]
    assert wall[0] < 0.003 and wall.max() > 0.006


def test_horn_outline_follows_a_tight_mouth_roll_with_short_elements() -> None:
    cfg = HornConfig.from_dict(parse(rosse(), Path(".")).config)
    outline = horn_outline(cfg.horn, 8.0, 8.0)
    steps = np.diff(np.unwrap(np.arctan2(*(outline.ends - outline.starts).T[::-1])))
    smooth = (outline.tags[1:] == outline.tags[:-1]) & (outline.tags[1:] != SECONDARY)
    assert np.degrees(np.abs(steps[smooth])).max() < 16


def test_outline_sizes_resolve_four_times_the_configured_elements_per_wavelength() -> None:
    coarse = with_section(with_section(rosse(), "sweep", f_max=20000), "mesh", throat_size=4, mouth_size=10)
    throat, mouth = outline_sizes(HornConfig.from_dict(parse(coarse, Path(".")).config), 20000)
    assert mouth == pytest.approx(1000 * 343 / (4 * 6 * 20000)) and throat == mouth


def test_outline_bands_coarsen_towards_low_frequencies_until_the_geometry_binds() -> None:
    cfg = HornConfig.from_dict(parse(with_section(rosse(), "sweep", f_max=20000, n=40), Path(".")).config)
    bands = outline_bands(cfg)
    assert [f for band in bands for f in band.frequencies] == sorted(cfg.sweep.frequencies())
    mouths = [band.sizes[1] for band in bands]
    assert len(bands) >= 4 and mouths == sorted(mouths, reverse=True)
    for band in bands:
        assert outline_sizes(cfg, band.frequencies[0])[1] <= math.sqrt(2) * band.sizes[1] + 1e-12
    assert outline_sizes(cfg, bands[0].frequencies[0]) == outline_sizes(cfg, 1.0), "the geometry binds at the bottom"


def test_a_profile_file_is_one_band(sphere_profile: Path) -> None:
    cfg = HornConfig.from_dict(parse(profile_config(sphere_profile), Path(".")).config)
    (band,) = outline_bands(cfg)
    assert band.sizes is None and len(band.frequencies) == cfg.sweep.n


def test_a_profile_round_trips_through_its_msh_whatever_the_order_and_direction_of_its_lines(tmp_path: Path) -> None:
    outline = sphere_outline()
    path = tmp_path / "shuffled.msh"
    order = np.random.default_rng(3).permutation(len(outline.tags))
    lines = outline.elements[order]
    lines[::2] = lines[::2, ::-1]
    xyz = np.column_stack([outline.nodes[:, 0] * 1000, np.zeros(len(outline.nodes)), outline.nodes[:, 1] * 1000])
    tags = outline.tags[order]
    meshio.write(
        path,
        meshio.Mesh(xyz, [("line", lines)], cell_data={"gmsh:physical": [tags], "gmsh:geometrical": [tags]}),
        file_format="gmsh22",
        binary=False,
    )
    back = read_outline(path, 0.001)
    np.testing.assert_allclose(back.nodes, outline.nodes, atol=1e-12)
    assert np.array_equal(back.tags, outline.tags)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda xyz, lines: (xyz + np.array([0.0, 0.01, 0.0]), lines), "leaves the plane y = 0"),
        (lambda xyz, lines: (xyz - np.array([0.05, 0.0, 0.0]), lines), "x < 0"),
        (lambda xyz, lines: (xyz, np.delete(lines, 5, axis=0)), "one chain"),
        (lambda xyz, lines: (xyz, lines[:-1]), "one chain"),
    ],
    ids=["off the plane", "negative radius", "a gap", "an end off the axis"],
)
def test_a_broken_profile_is_refused(tmp_path: Path, change, message: str) -> None:
    outline = sphere_outline()
    xyz = np.column_stack([outline.nodes[:, 0], np.zeros(len(outline.nodes)), outline.nodes[:, 1]])
    xyz, lines = change(xyz, outline.elements)
    tags = outline.tags[: len(lines)]
    path = tmp_path / "broken.msh"
    meshio.write(
        path,
        meshio.Mesh(xyz, [("line", lines)], cell_data={"gmsh:physical": [tags], "gmsh:geometrical": [tags]}),
        file_format="gmsh22",
        binary=False,
    )
    with pytest.raises(MeshError, match=message):
        read_outline(path, 1.0)
    assert message in refusal(profile_config(path))
