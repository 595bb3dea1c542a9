"""Shared fixtures for the horn solver tests: tagged gmsh spheres and synthetic sweep results.

Solver tests are marked ``solver``: the first bempp-cl assembly in a process compiles numba kernels (minutes
on a small machine), so every solve here runs on a few hundred triangles and the session pays that cost once.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from engine.solvers.horn.post import build_results, observation_points
from engine.solvers.horn.sweep import SweepResult

C = 343.0
RHO = 1.205
SPHERE_RADIUS_MM = 100.0
MM = 1e-3


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "solver: runs a bempp-cl solve (slow: numba compilation once per process)")


def write_sphere_msh(
    path: Path,
    radius: float,
    size: float,
    *,
    cap_deg: float | None = None,
    cap_rim_size: float | None = None,
    all_tag: int = 2,
) -> Path:
    """Write a triangulated sphere with physical tags to ``path`` (gmsh .msh, the solver's import format).

    Without ``cap_deg`` the whole surface gets ``all_tag``. With it, the sphere is split by the plane
    z = radius·cos(cap_deg) so the cap (tag 2) is its own surface whose rim the mesh follows exactly; the
    rest is tag 1, and the disk closing the cap inside the sphere is tag 4 (an interface the solve must
    ignore). Elements shrink to ``cap_rim_size`` near the rim, where a coarse polygon would shrink the
    driven area.
    """
    import gmsh

    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.add("sphere")
        volume = gmsh.model.occ.addSphere(0, 0, 0, radius)
        cut_z = radius * math.cos(math.radians(cap_deg)) if cap_deg is not None else 0.0
        if cap_deg is not None:
            disk = gmsh.model.occ.addDisk(0, 0, cut_z, 2 * radius, 2 * radius)
            gmsh.model.occ.fragment([(3, volume)], [(2, disk)])
        gmsh.model.occ.synchronize()
        cap, rest, inner = [], [], []
        for _, tag in gmsh.model.getEntities(2):
            x, y, z = gmsh.model.occ.getCenterOfMass(2, tag)
            if gmsh.model.getType(2, tag) == "Sphere":
                (cap if cap_deg is not None and z > cut_z else rest).append(tag)
            elif math.hypot(x, y) < radius and math.hypot(x, y, z) < radius:
                inner.append(tag)
        if cap_deg is None:
            gmsh.model.addPhysicalGroup(2, rest, all_tag)
        else:
            gmsh.model.addPhysicalGroup(2, cap, 2)
            gmsh.model.addPhysicalGroup(2, rest, 1)
            gmsh.model.addPhysicalGroup(2, inner, 4)
            rim = [tag for _, tag in gmsh.model.getBoundary([(2, t) for t in cap], oriented=False)]
            distance = gmsh.model.mesh.field.add("Distance")
            gmsh.model.mesh.field.setNumbers(distance, "CurvesList", rim)
            gmsh.model.mesh.field.setNumber(distance, "Sampling", 200)
            threshold = gmsh.model.mesh.field.add("Threshold")
            gmsh.model.mesh.field.setNumber(threshold, "InField", distance)
            gmsh.model.mesh.field.setNumber(threshold, "SizeMin", cap_rim_size or size)
            gmsh.model.mesh.field.setNumber(threshold, "SizeMax", size)
            gmsh.model.mesh.field.setNumber(threshold, "DistMax", size)
            gmsh.model.mesh.field.setAsBackgroundMesh(threshold)
            gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
            gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
        gmsh.option.setNumber("Mesh.MeshSizeMax", size)
        gmsh.model.mesh.generate(2)
        gmsh.write(str(path))
    finally:
        gmsh.finalize()
    return path


@pytest.fixture(scope="session")
def sphere_msh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 100 mm sphere, all source (tag 2), about 380 triangles: ~7 elements per wavelength at ka = π."""
    return write_sphere_msh(tmp_path_factory.mktemp("sphere") / "sphere.msh", SPHERE_RADIUS_MM, 30.0)


@pytest.fixture(scope="session")
def cap_msh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 100 mm sphere whose 30° polar cap is the source, about 540 triangles, refined along the cap rim."""
    path = tmp_path_factory.mktemp("cap") / "cap.msh"
    return write_sphere_msh(path, SPHERE_RADIUS_MM, 30.0, cap_deg=30.0, cap_rim_size=10.0)


def fake_sweep(frequencies: list[float], columns: int, *, seed: int = 0) -> SweepResult:
    """A sweep with random but reproducible pressures, for post-processing and export tests."""
    rng = np.random.default_rng(seed)
    shape = (len(frequencies), columns)
    field = (1 + rng.random(shape)) * np.exp(1j * rng.uniform(-np.pi, np.pi, shape))
    return SweepResult(
        frequencies=np.asarray(frequencies, dtype=np.float64),
        field=field,
        throat_pressure=RHO * C * (0.5 - 0.4j) * np.ones(len(frequencies)),
        source_velocity=np.ones(len(frequencies), dtype=np.complex128),
        drive="velocity",
        drive_value=1 + 0j,
        solve_seconds=[0.5] * len(frequencies),
        gmres_iterations=[12] * len(frequencies),
    )


@pytest.fixture
def synthetic_results() -> dict:
    """Results of a two-plane, three-frequency job built from a fake sweep (no solve)."""
    angles = [0.0, 7.5, 30.0, 90.0, 180.0]
    planes = ["horizontal", "vertical"]
    columns = observation_points(2.0, angles, planes).shape[1]
    return build_results(
        "job-1234",
        fake_sweep([200.0, 2000.0, 20000.0], columns),
        distance_m=2.0,
        angles_deg=angles,
        planes=planes,
        normalize_angle=0.0,
        c=C,
        rho=RHO,
        mesh_meta={"triangles": 2000, "nodes": 1002, "elements_per_wavelength": 6.5},
    )
