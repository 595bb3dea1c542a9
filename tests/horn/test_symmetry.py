"""Mirror symmetry: which horns have it, the mirrored mesh, and the folded solve equal to the full one."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.spatial import cKDTree

from engine.solvers.horn import bem
from engine.solvers.horn.backend import bempp_api
from engine.solvers.horn.mesh import build_mesh, orient_outward
from engine.solvers.horn.post import observation_points, spl_db
from engine.solvers.horn.symmetry import detect, fold_coordinates, mirror, part_elements

from .conftest import RHO, C
from .test_mesh import coarse_config, edge_use_counts, read, signed_volume

ROSSE = {"formula": "R-OSSE", "R": 130.0, "r0": 12.7, "a0": 9.0, "k": 1.0, "wall_thickness": 3.0}


@pytest.mark.parametrize(
    ("a", "expected"),
    [
        (40.0, "quarter"),
        ("45 + 10*cos(p)^2", "quarter"),
        ("45 + 10*sin(p)^2", "quarter"),
        ("45 + 5*cos(2*p)", "quarter"),
        ("45 + 10*cos(p)", "half"),
        ("45 + 10*sin(p)", "none"),
        ("45 + 10*sin(2*p)", "none"),
        ("45 + 10*cos(p)^2 + 1e-6*sin(p)", "none"),
    ],
)
def test_detect_names_the_widest_symmetry_the_expressions_have(a: float | str, expected: str) -> None:
    assert detect({**ROSSE, "a": a}) == expected


def test_detect_needs_every_expression_to_be_symmetric() -> None:
    assert detect({**ROSSE, "a": "45 + 10*cos(p)^2", "a0": "9 + cos(p)"}) == "half"
    assert detect({**ROSSE, "a": "45 + 10*cos(p)^2", "a0": "9 + sin(p)"}) == "none"


def octant_of_a_sphere(divisions: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """The x ≥ 0, y ≥ 0 quarter of a triangulated unit sphere (both hemispheres), oriented outward."""
    rows = [(i, j) for i in range(divisions + 1) for j in range(divisions + 1 - i)]
    index = {ij: n for n, ij in enumerate(rows)}
    flat = np.array([(i, j, divisions - i - j) for i, j in rows], dtype=float)
    upper = flat / np.linalg.norm(flat, axis=1)[:, None]
    below = [n for n, (i, j) in enumerate(rows) if i + j < divisions]
    lower_index = np.arange(len(rows))
    lower_index[below] = len(rows) + np.arange(len(below))
    triangles = []
    for i, j in rows:
        if i + j < divisions:
            triangles.append((index[i, j], index[i + 1, j], index[i, j + 1]))
        if i + j < divisions - 1:
            triangles.append((index[i + 1, j], index[i + 1, j + 1], index[i, j + 1]))
    top = np.array(triangles)
    bottom = lower_index[top[:, [0, 2, 1]]]
    return np.vstack([upper, upper[below] * [1.0, 1.0, -1.0]]), np.vstack([top, bottom])


@pytest.mark.parametrize("symmetry", ["half", "quarter"])
def test_mirror_gives_a_closed_outward_mirror_symmetric_surface(symmetry: str) -> None:
    points, triangles = octant_of_a_sphere()
    if symmetry == "half":
        quarter = len(triangles)
        points, triangles, _ = mirror(points, triangles, np.zeros(quarter), "quarter")
        triangles = triangles[: 2 * quarter]  # the octant and its x → −x image: the y ≥ 0 half
    tags = np.arange(len(triangles)) % 3 + 1
    full, full_triangles, full_tags = mirror(points, triangles, tags, symmetry)
    factor = 2 if symmetry == "half" else 4
    assert len(full_triangles) == factor * len(triangles)
    assert list(full_tags) == list(tags) * factor
    assert set(edge_use_counts(full_triangles)) == {2}
    assert signed_volume(full, full_triangles) > 0
    assert (orient_outward(full_triangles, full)[0] == full_triangles).all()
    assert len(np.unique(full, axis=0)) == len(full)
    tree = cKDTree(full)
    assert tree.query(full * [1.0, -1.0, 1.0])[0].max() == 0.0
    if symmetry == "quarter":
        assert tree.query(full * [-1.0, 1.0, 1.0])[0].max() == 0.0


def test_mirror_without_symmetry_returns_the_surface_itself() -> None:
    points, triangles = octant_of_a_sphere(2)
    full, full_triangles, _ = mirror(points, triangles, np.ones(len(triangles)), "none")
    assert np.array_equal(full, points)
    assert np.array_equal(full_triangles, triangles)


def test_part_elements_and_fold_coordinates_agree_on_the_kept_region() -> None:
    points, triangles = octant_of_a_sphere(4)
    full, full_triangles, _ = mirror(points, triangles, np.ones(len(triangles)), "quarter")
    keep = part_elements(full, full_triangles, "quarter")
    assert keep.sum() == len(triangles)
    assert np.array_equal(np.flatnonzero(keep), np.arange(len(triangles)))
    folded = fold_coordinates(full, "quarter")
    assert (folded[:, :2] >= 0).all()
    assert cKDTree(points).query(folded)[0].max() == 0.0


@pytest.mark.parametrize("symmetry", ["half", "quarter"])
def test_symmetric_horn_mesh_is_the_mirrored_part_closed_and_outward(tmp_path: Path, symmetry: str) -> None:
    info = build_mesh(coarse_config(), tmp_path / "horn.msh", symmetry=symmetry)
    points, triangles, tags = read(info.path)
    assert info.closed and info.signed_volume > 0
    assert info.triangles == len(triangles) and info.nodes == len(points)
    assert set(edge_use_counts(triangles)) == {2}
    assert signed_volume(points, triangles) > 0
    assert set(np.unique(tags)) == {1, 2, 3}
    tree = cKDTree(points)
    assert tree.query(points * [1.0, -1.0, 1.0])[0].max() < 1e-12
    if symmetry == "quarter":
        assert tree.query(points * [-1.0, 1.0, 1.0])[0].max() < 1e-12


def capped_sphere_grid():
    """bempp's octahedral sphere (symmetric in x, y and z), radius 0.1 m, 512 triangles, a polar cap driven."""
    bempp = bempp_api()
    sphere = bempp.shapes.regular_sphere(3)
    vertices = np.asarray(sphere.vertices) * 0.1
    elements = np.asarray(sphere.elements)
    tags = np.where(vertices[:, elements].mean(axis=1)[2] > 0.07, 2, 1).astype(np.uint32)
    return bempp.Grid(vertices.copy(), elements.copy(), domain_indices=tags)


def solve_both(grid, symmetry: str, ka: float, device_interface: str | None = None):
    points = observation_points(2.0, np.arange(0.0, 181.0, 10.0), ["horizontal", "vertical"])
    f = ka / 0.1 * C / (2 * math.pi)
    options = {"c": C, "rho": RHO, "device_interface": device_interface}
    return (
        bem.solve_sweep(grid, [f], points, symmetry=symmetry, **options),
        bem.solve_sweep(grid, [f], points, **options),
    )


def assert_same_field(folded, full) -> None:
    relative = np.abs(folded.field - full.field).max() / np.abs(full.field).max()
    assert relative < 1e-4
    assert np.abs(spl_db(folded.field) - spl_db(full.field)).max() < 0.05
    assert folded.throat_pressure == pytest.approx(full.throat_pressure, rel=1e-4)


@pytest.mark.solver
@pytest.mark.parametrize("symmetry", ["half", "quarter"])
def test_folded_solve_equals_the_full_solve_on_a_capped_sphere(symmetry: str) -> None:
    grid = capped_sphere_grid()
    folded, full = solve_both(grid, symmetry, ka=5.0)
    assert_same_field(folded, full)
    assert full.unknowns == grid.vertices.shape[1]
    assert folded.unknowns < full.unknowns * (0.6 if symmetry == "half" else 0.35)


@pytest.mark.solver
def test_folded_solve_works_on_the_numba_backend_too() -> None:
    folded, full = solve_both(capped_sphere_grid(), "quarter", ka=3.0, device_interface="numba")
    assert_same_field(folded, full)


@pytest.mark.solver
def test_quarter_horn_solve_equals_the_full_solve_on_the_same_mesh(tmp_path: Path) -> None:
    info = build_mesh(coarse_config(), tmp_path / "horn.msh", symmetry="quarter")
    assert info.triangles <= 900
    grid = bem.load_grid(info.path, info.scale)
    folded, full = solve_both(grid, "quarter", ka=2.0)
    assert_same_field(folded, full)
