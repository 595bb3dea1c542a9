"""Every solver path against closed-form radiation, through hornq's own job path: config file → engine → warm
worker → stored results. The default backend (OpenCL where it works) and forced numba solve the same pulsating
sphere and cap on a rigid sphere; both must meet the analytic targets and agree with each other. A quarter
model (a user's mesh holding one quadrant) meets them too and equals the whole; a generated horn solved as a
quarter equals the whole, and solved in frequency bands equals the single fine mesh.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

from engine.solvers.horn.meshfile import read_triangles
from tests.conftest import module_home
from tests.horn.test_horn_job import SMALL_HORN

from .analytic import cap_on_sphere, pulsating_sphere
from .conftest import MM, RHO, SPHERE_RADIUS_MM, C

pytestmark = pytest.mark.solver

A = SPHERE_RADIUS_MM * MM
DISTANCE = 2.0
CAP_HALF_ANGLE = math.radians(30.0)
BACKENDS = ("auto", "numba")


def frequency_for_ka(ka: float) -> float:
    return ka / A * C / (2 * math.pi)


def job_config(mesh: Path, backend: str, kas: tuple[float, float]) -> str:
    return f"""\
kind = "horn"
label = "{mesh.stem} {backend}"
[mesh]
file = "{mesh}"
scale = 0.001
[sweep]
f_min = {frequency_for_ka(kas[0])!r}
f_max = {frequency_for_ka(kas[1])!r}
n = 2
spacing = "linear"
[observation]
distance = {DISTANCE}
angle_step = 10
planes = ["horizontal"]
[medium]
c = {C}
rho = {RHO}
[solver]
backend = "{backend}"
"""


def write_octahedral_sphere(directory: Path) -> tuple[Path, Path]:
    """bempp's mirror-symmetric unit sphere (512 triangles) scaled to 100 mm, all source: whole, and its
    quadrant x ≥ 0, y ≥ 0 as a user would mesh it for a quarter model."""
    import meshio

    from engine.solvers.horn.backend import bempp_api

    grid = bempp_api().shapes.regular_sphere(3)
    points, triangles = grid.vertices.T * SPHERE_RADIUS_MM, grid.elements.T.astype(np.int64)
    centroids = points[triangles].mean(axis=1)
    quadrant = triangles[(centroids[:, 0] > 0) & (centroids[:, 1] > 0)]
    paths = []
    for name, cells in (("octasphere", triangles), ("octasphere-quarter", quadrant)):
        tags = np.full(len(cells), 2)
        mesh = meshio.Mesh(
            points, [("triangle", cells)], cell_data={"gmsh:physical": [tags], "gmsh:geometrical": [tags]}
        )
        paths.append(directory / f"{name}.msh")
        meshio.write(paths[-1], mesh, file_format="gmsh22", binary=False)
    return paths[0], paths[1]


#: The small horn's sweep widened so that its auto-sized mesh differs between low and high frequencies.
WIDER = ("f_max = 4000\nn = 3", "f_max = 8000\nn = 6")


def horn_config(label: str, **sections: str) -> str:
    return SMALL_HORN.format(label=label) + "".join(f"[{name}]\n{body}\n" for name, body in sections.items())


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory, sphere_msh: Path, cap_msh: Path) -> dict[tuple[str, str], dict]:
    """Sphere (ka 1 and π) and cap (ka 1 and 2) on each backend, the quarter-model sphere, and a small horn whole,
    as a quarter and in bands: one engine, one warm worker."""
    root = tmp_path_factory.mktemp("solver-paths")
    with module_home(root) as cli:
        cli("config", "set", "max_concurrent_jobs", "1")
        ids = {}
        for backend in BACKENDS:
            for mesh, kas in ((sphere_msh, (1.0, math.pi)), (cap_msh, (1.0, 2.0))):
                path = root / f"{mesh.stem}-{backend}.toml"
                path.write_text(job_config(mesh, backend, kas))
                ids[(mesh.stem, backend)] = cli("submit", "--no-start", str(path)).stdout.strip()
        whole, quadrant = write_octahedral_sphere(root)
        for mesh, symmetry in ((whole, "none"), (quadrant, "quarter")):
            path = root / f"{mesh.stem}.toml"
            path.write_text(
                job_config(mesh, "auto", (1.0, math.pi)).replace('backend = "auto"', f'symmetry = "{symmetry}"')
            )
            ids[(mesh.stem, symmetry)] = cli("submit", "--no-start", str(path)).stdout.strip()
        horns = {
            ("horn", "quarter"): horn_config("quarter", mesh="banded = false", solver='symmetry = "quarter"'),
            ("horn", "single"): horn_config("single", mesh='size = "auto"\nbanded = false').replace(*WIDER),
            ("horn", "banded"): horn_config("banded", mesh='size = "auto"\nkeep_band_meshes = true').replace(*WIDER),
        }
        for key, text in horns.items():
            path = root / f"horn-{key[1]}.toml"
            path.write_text(text)
            ids[key] = cli("submit", "--no-start", str(path)).stdout.strip()
        cli("engine", "--until-idle", timeout=1500)
        mirrored = root / "quarter-mirrored.msh"
        cli("mesh", ids[("horn", "quarter")], "-o", str(mirrored))
        path = root / "horn-mirrored-whole.toml"
        path.write_text(
            horn_config("mirrored whole", mesh=f'file = "{mirrored}"\nscale = 1.0', solver='symmetry = "none"')
        )
        ids[("horn", "mirrored-none")] = cli("submit", "--no-start", str(path)).stdout.strip()
        cli("engine", "--until-idle", timeout=1500)
        found = {key: json.loads(cli("results", job_id, "--json").stdout) for key, job_id in ids.items()}
        band_mesh = root / "band1.msh"
        cli("mesh", ids[("horn", "banded")], "--artifact", "mesh-band1.msh", "-o", str(band_mesh))
        found[("horn", "band1.msh")] = {"triangles": len(read_triangles(band_mesh)[1])}
        return found


def opencl_expected() -> bool:
    from engine.solvers.horn.backend import opencl_failure

    return os.environ.get("HORNQ_OPENCL") == "required" or opencl_failure() is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_backend_says_how_it_solved(solved: dict, backend: str) -> None:
    solver = solved[("sphere", backend)]["metadata"]["solver"]
    expected = ("opencl", "single") if backend == "auto" and opencl_expected() else ("numba", "double")
    assert (solver["backend"], solver["precision"]) == expected
    assert solver["formulation"] == "burton-miller" and solver["symmetry"] == "none"
    assert [band["frequencies"] for band in solver["bands"]] == [2]


@pytest.mark.parametrize("backend", BACKENDS)
def test_pulsating_sphere_matches_the_analytic_pressure_through_the_job_path(solved: dict, backend: str) -> None:
    results = solved[("sphere", backend)]
    for ka, spl in zip((1.0, math.pi), results["on_axis_spl_db"], strict=True):
        exact = pulsating_sphere(DISTANCE, ka / A, A, 1.0, RHO, C)
        exact_db = 20 * math.log10(abs(exact) / (math.sqrt(2) * 20e-6))
        assert abs(spl - exact_db) < 0.5, f"ka = {ka}"


@pytest.mark.parametrize("backend", BACKENDS)
def test_cap_on_a_rigid_sphere_matches_the_analytic_polar_through_the_job_path(solved: dict, backend: str) -> None:
    results = solved[("cap", backend)]
    angles = np.radians(results["observation"]["angles_deg"])
    for ka, spl in zip((1.0, 2.0), results["polar"]["horizontal"]["spl_db"], strict=True):
        exact = 20 * np.log10(
            np.abs(cap_on_sphere(DISTANCE, angles, ka / A, A, CAP_HALF_ANGLE, 1.0, RHO, C)) / (math.sqrt(2) * 20e-6)
        )
        error = np.asarray(spl) - exact
        assert np.abs(error).max() < 0.5, f"ka = {ka}"
        assert np.abs(error - error[0]).max() < 0.2, f"ka = {ka}: normalised polar"


def test_single_precision_opencl_agrees_with_double_precision_numba(solved: dict) -> None:
    """The precision choice is measured, not assumed: the two backends differ far below the mesh's own error."""
    for mesh in ("sphere", "cap"):
        fast = np.asarray(solved[(mesh, "auto")]["polar"]["horizontal"]["spl_db"])
        reference = np.asarray(solved[(mesh, "numba")]["polar"]["horizontal"]["spl_db"])
        assert np.abs(fast - reference).max() < 0.01, mesh


def test_a_quarter_model_from_a_users_mesh_matches_the_analytic_sphere_and_the_whole(solved: dict) -> None:
    quarter, whole = solved[("octasphere-quarter", "quarter")], solved[("octasphere", "none")]
    assert quarter["metadata"]["solver"]["symmetry"] == "quarter"
    assert (
        quarter["metadata"]["solver"]["bands"][0]["unknowns"] < whole["metadata"]["solver"]["bands"][0]["unknowns"] / 3
    )
    assert quarter["metadata"]["mesh"]["triangles"] == whole["metadata"]["mesh"]["triangles"]
    for ka, spl in zip((1.0, math.pi), quarter["on_axis_spl_db"], strict=True):
        exact = pulsating_sphere(DISTANCE, ka / A, A, 1.0, RHO, C)
        assert abs(spl - 20 * math.log10(abs(exact) / (math.sqrt(2) * 20e-6))) < 0.5, f"ka = {ka}"
    gap = np.abs(np.asarray(quarter["polar"]["horizontal"]["spl_db"]) - whole["polar"]["horizontal"]["spl_db"])
    assert gap.max() < 0.01


def test_a_generated_horn_solved_as_a_quarter_equals_the_whole_on_the_same_mesh(solved: dict) -> None:
    """The quarter model's mesh (meshed for the part, then mirrored) solved whole gives the same results."""
    quarter, whole = solved[("horn", "quarter")], solved[("horn", "mirrored-none")]
    assert (quarter["metadata"]["solver"]["symmetry"], whole["metadata"]["solver"]["symmetry"]) == ("quarter", "none")
    assert quarter["metadata"]["mesh"]["triangles"] == whole["metadata"]["mesh"]["triangles"]
    for plane in ("horizontal", "vertical"):
        gap = np.abs(np.asarray(quarter["polar"][plane]["spl_db"]) - whole["polar"][plane]["spl_db"])
        assert gap.max() < 0.05, plane
    assert np.allclose(quarter["throat_impedance"]["real"], whole["throat_impedance"]["real"], rtol=1e-3)


def test_bands_solve_low_frequencies_on_coarser_meshes_and_agree_with_the_single_fine_mesh(solved: dict) -> None:
    banded, single = solved[("horn", "banded")], solved[("horn", "single")]
    bands = banded["metadata"]["solver"]["bands"]
    assert len(bands) >= 2 and len(single["metadata"]["solver"]["bands"]) == 1
    assert bands[0]["triangles"] < bands[-1]["triangles"] == single["metadata"]["mesh"]["triangles"]
    assert solved[("horn", "band1.msh")]["triangles"] == bands[0]["triangles"], "kept on request"
    assert sum(band["frequencies"] for band in bands) == len(banded["frequencies_hz"]) == 6
    assert banded["frequencies_hz"] == single["frequencies_hz"]
    resolved = single["metadata"]["mesh"]["elements_per_wavelength"]
    assert all(band["elements_per_wavelength"] >= 0.85 * resolved for band in bands)
    both = [i for i, f in enumerate(banded["frequencies_hz"]) if min(resolution(banded, f), resolution(single, f)) >= 6]
    assert len(both) >= 3
    front = np.asarray(banded["observation"]["angles_deg"]) <= 90
    for plane in ("horizontal", "vertical"):
        gap = np.abs(np.asarray(banded["polar"][plane]["spl_db"]) - single["polar"][plane]["spl_db"])[both]
        assert gap[:, front].max() < 0.5, f"{plane}: the radiated front half"
        assert gap.max() < 1.0, f"{plane}: behind the mouth, where the coarse outer shell sets a low level"


def resolution(results: dict, f: float) -> float:
    """Elements per wavelength at ``f`` on the mesh that solved it (its longest edge against the wavelength)."""
    band = next(b for b in results["metadata"]["solver"]["bands"] if b["f_low_hz"] <= f <= b["f_high_hz"])
    return band["elements_per_wavelength"] * band["f_high_hz"] / f
