"""gmsh meshing of horns: a closed, outward-oriented, tagged surface that meshio and bempp can read."""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import meshio
import numpy as np
import pytest

from engine.solvers.horn.config import HornConfig
from engine.solvers.horn.mesh import MeshInfo, build_mesh, import_mesh_info, orient_outward
from engine.solvers.horn.meshfile import tags_present
from engine.solvers.horn.sizing import estimated_resolution, estimated_triangles
from engine.solvers.horn.validation import parse

WALL_MM = 6.0


def coarse_config(formula: str = "R-OSSE", **horn: Any) -> HornConfig:
    """A small mesh (a few hundred triangles) so each build takes well under a few seconds."""
    if formula == "R-OSSE":
        base = {"R": 130, "a": 40, "r0": 12.7, "a0": 9, "k": 1, "r": 0.25, "m": 0.8, "b": 0.25, "q": 3}
    else:
        base = {"r0": 12.7, "a0": 10, "a": 40, "L": 110, "s": 0.6}
    raw = {
        "horn": {"formula": formula, **base, "wall_thickness": WALL_MM, **horn},
        "mesh": {"throat_size": 12, "mouth_size": 50},
        "sweep": {"f_min": 200, "f_max": 1000, "n": 5},
    }
    return HornConfig.from_dict(parse(raw, Path(".")).config)


def sized(cfg: HornConfig, throat_size: float, mouth_size: float) -> HornConfig:
    return dataclasses.replace(cfg, mesh=dataclasses.replace(cfg.mesh, throat_size=throat_size, mouth_size=mouth_size))


def read(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mesh = meshio.read(path)
    return mesh.points, mesh.cells_dict["triangle"], mesh.cell_data_dict["gmsh:physical"]["triangle"]


def signed_volume(points: np.ndarray, triangles: np.ndarray) -> float:
    p0, p1, p2 = (points[triangles[:, i]] for i in range(3))
    return float(np.einsum("ij,ij->i", p0, np.cross(p1, p2)).sum() / 6.0)


def edge_use_counts(triangles: np.ndarray) -> Counter[int]:
    edges = Counter(tuple(sorted(edge)) for a, b, c in triangles.tolist() for edge in ((a, b), (b, c), (c, a)))
    return Counter(edges.values())


@pytest.fixture(scope="module")
def rosse_mesh(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MeshInfo]:
    path = tmp_path_factory.mktemp("mesh") / "rosse.msh"
    return path, build_mesh(coarse_config(), path)


@pytest.fixture(scope="module")
def azimuthal_mesh(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MeshInfo]:
    path = tmp_path_factory.mktemp("mesh") / "osse.msh"
    return path, build_mesh(coarse_config("OS-SE", a="30 + 15*cos(p)^2"), path)


def test_generated_mesh_is_small_enough_for_fast_tests(rosse_mesh: tuple[Path, MeshInfo]) -> None:
    _, info = rosse_mesh
    assert 100 < info.triangles < 1000


def test_every_edge_is_shared_by_exactly_two_triangles(rosse_mesh: tuple[Path, MeshInfo]) -> None:
    _, triangles, _ = read(rosse_mesh[0])
    assert edge_use_counts(triangles).keys() == {2}
    assert rosse_mesh[1].closed


def test_mesh_carries_wall_source_and_secondary_tags_only(rosse_mesh: tuple[Path, MeshInfo]) -> None:
    _, _, tags = read(rosse_mesh[0])
    assert set(tags.tolist()) == {1, 2, 3}
    assert tags_present(rosse_mesh[0]) == {1, 2, 3}


def test_normals_point_outward(rosse_mesh: tuple[Path, MeshInfo]) -> None:
    points, triangles, _ = read(rosse_mesh[0])
    assert signed_volume(points, triangles) > 0
    assert rosse_mesh[1].signed_volume == pytest.approx(signed_volume(points, triangles))


def test_mesh_is_in_metres_from_behind_the_throat_to_the_rolled_back_mouth(
    rosse_mesh: tuple[Path, MeshInfo],
) -> None:
    points, _, _ = read(rosse_mesh[0])
    cfg = coarse_config()
    assert cfg.horn is not None
    deepest = max(x for x, _ in cfg.horn.profile(0.0, 200))  # the R-OSSE mouth rolls back: 76.5 mm
    assert points[:, 2].min() == pytest.approx(-WALL_MM / 1000, abs=1e-9)
    assert deepest / 1000 < points[:, 2].max() < (deepest + WALL_MM) / 1000
    assert np.hypot(points[:, 0], points[:, 1]).max() == pytest.approx(0.130, abs=0.002)


def test_source_is_the_throat_disc_at_z_0(rosse_mesh: tuple[Path, MeshInfo]) -> None:
    points, triangles, tags = read(rosse_mesh[0])
    source = points[np.unique(triangles[tags == 2])]
    assert np.allclose(source[:, 2], 0.0, atol=1e-9)
    assert np.hypot(source[:, 0], source[:, 1]).max() == pytest.approx(0.0127, rel=1e-3)


def test_mesh_info_reports_sizes_and_elements_per_wavelength_by_the_quadratic_mean_edge(
    rosse_mesh: tuple[Path, MeshInfo],
) -> None:
    path, info = rosse_mesh
    assert 0 < info.h_min < info.h_mean < info.h_rms < info.h_max < 0.050 * 1.5
    assert info.elements_per_wavelength == pytest.approx(343.0 / (1000 * info.h_rms))
    assert import_mesh_info(path, 1.0, f_max=1000) == info


@pytest.mark.parametrize("formula", ["R-OSSE", "OS-SE"])
def test_a_mesh_asked_for_one_size_resolves_that_size_though_its_longest_edges_exceed_it(
    tmp_path: Path, formula: str
) -> None:
    """What makes ``size = "auto"`` (elements of λ/6 asked for) reach 6 elements per wavelength."""
    info = build_mesh(sized(coarse_config(formula), 20, 20), tmp_path / "even.msh")
    assert info.h_rms <= 0.020
    assert info.h_max > 1.2 * 0.020


@pytest.mark.parametrize(
    ("formula", "horn", "sizes", "symmetry"),
    [
        ("R-OSSE", {}, (8, 20), "none"),
        ("R-OSSE", {"R": 80}, (6, 12), "quarter"),
        ("R-OSSE", {}, (15, 15), "half"),
        ("OS-SE", {"a": "30 + 15*cos(p)^2"}, (8, 20), "half"),
        ("OS-SE", {"L": 60}, (10, 25), "quarter"),
        ("OS-SE", {"L": 60}, (6, 12), "none"),
    ],
)
def test_triangles_and_resolution_are_estimated_as_gmsh_makes_them(
    tmp_path: Path, formula: str, horn: dict[str, Any], sizes: tuple[float, float], symmetry: str
) -> None:
    cfg = sized(coarse_config(formula, **horn), *sizes)
    info = build_mesh(cfg, tmp_path / "horn.msh", symmetry=symmetry)
    assert cfg.horn is not None
    table = {"formula": formula, **cfg.horn.params, "wall_thickness": cfg.horn.wall_thickness}
    assert estimated_triangles(table, *sizes, symmetry) == pytest.approx(info.triangles, rel=0.1)
    assert estimated_resolution(table, *sizes, symmetry) == pytest.approx(1000 * info.h_rms, rel=0.05)


def test_file_is_gmsh_2_2_ascii_with_named_physical_groups(rosse_mesh: tuple[Path, MeshInfo]) -> None:
    text = rosse_mesh[0].read_text()
    assert text.startswith("$MeshFormat\n2.2 0 8\n")
    assert '2 1 "wall"' in text and '2 2 "source"' in text and '2 3 "secondary"' in text


def test_azimuth_dependent_horn_is_closed_and_outward(azimuthal_mesh: tuple[Path, MeshInfo]) -> None:
    points, triangles, tags = read(azimuthal_mesh[0])
    assert edge_use_counts(triangles).keys() == {2}
    assert signed_volume(points, triangles) > 0
    assert set(tags.tolist()) == {1, 2, 3}


def test_azimuth_dependent_horn_is_wider_horizontally(azimuthal_mesh: tuple[Path, MeshInfo]) -> None:
    points, _, _ = read(azimuthal_mesh[0])
    assert np.abs(points[:, 0]).max() > np.abs(points[:, 1]).max() * 1.1  # 45° along x, 30° along y


def test_meshing_works_outside_the_main_thread(tmp_path: Path) -> None:
    results: list[MeshInfo | BaseException] = []

    def run() -> None:
        try:
            results.append(build_mesh(coarse_config(), tmp_path / "thread.msh"))
        except BaseException as exc:  # handed to the test thread
            results.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=120)
    assert len(results) == 1 and isinstance(results[0], MeshInfo) and results[0].closed


def test_users_mesh_in_mm_is_written_in_metres_with_outward_normals(tmp_path: Path) -> None:
    points = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0], [0, 0, 10]], dtype=float)
    inward = np.array([[0, 1, 2], [0, 3, 1], [0, 2, 3], [1, 3, 2]])  # every face wound inward
    tags = np.array([2, 1, 3, 3])
    meshio.write(
        tmp_path / "user.msh",
        meshio.Mesh(points, [("triangle", inward)], cell_data={"gmsh:physical": [tags], "gmsh:geometrical": [tags]}),
        file_format="gmsh22",
        binary=False,
    )
    raw = {"mesh": {"file": "user.msh"}, "sweep": {"f_min": 100, "f_max": 1000}}
    cfg = HornConfig.from_dict(parse(raw, tmp_path).config)
    info = build_mesh(cfg, tmp_path / "out.msh")
    out_points, out_triangles, out_tags = read(tmp_path / "out.msh")
    assert out_points.max() == pytest.approx(0.010)
    assert signed_volume(out_points, out_triangles) == pytest.approx(1e-6 / 6)
    assert sorted(out_tags.tolist()) == [1, 2, 3, 3]
    assert info.closed and info.scale == 1.0


def test_orientation_of_an_open_surface_is_made_consistent_but_not_called_closed() -> None:
    points = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0]], dtype=float)
    triangles = np.array([[0, 1, 2], [1, 2, 3]])  # the shared edge 1–2 runs the same way in both
    oriented, closed = orient_outward(triangles, points)
    assert not closed
    normals = np.cross(points[oriented[:, 1]] - points[oriented[:, 0]], points[oriented[:, 2]] - points[oriented[:, 0]])
    assert np.sign(normals[0, 2]) == np.sign(normals[1, 2])
