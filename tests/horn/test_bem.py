"""The Burton–Miller solve against closed-form sphere radiation, on gmsh meshes read through ``load_grid``.

All solves share one process so numba compiles once; meshes stay at a few hundred triangles.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from engine.solvers import Cancelled
from engine.solvers.horn import bem
from engine.solvers.horn.post import observation_points, polar_points, spl_db, throat_impedance

from .analytic import cap_on_sphere, pulsating_sphere
from .conftest import MM, RHO, SPHERE_RADIUS_MM, C, write_sphere_msh

pytestmark = pytest.mark.solver

A = SPHERE_RADIUS_MM * MM
DISTANCE = 2.0
SPHERE_ANGLES = np.arange(0.0, 181.0, 30.0)
CAP_ANGLES = np.arange(0.0, 181.0, 10.0)
CAP_HALF_ANGLE = math.radians(30.0)


def frequency_for_ka(ka: float) -> float:
    return ka / A * C / (2 * math.pi)


def enclosed_volume(grid) -> float:
    """Signed volume of the closed triangulated surface: positive when the normals point outwards."""
    v0, v1, v2 = (grid.vertices[:, grid.elements[i]] for i in range(3))
    return float(np.einsum("ij,ij->j", v0, np.cross(v1, v2, axis=0)).sum() / 6)


def meshed_resonance_ka(grid) -> float:
    """ka of the first interior Dirichlet resonance of the faceted sphere (j0(ka_eff) = 0, ka_eff = π).

    Flat facets make the meshed sphere slightly smaller than the true one, so its resonance sits a little
    above ka = π; testing there too makes sure the breakdown of the plain formulation is really met.
    """
    radius = (3 * enclosed_volume(grid) / (4 * math.pi)) ** (1 / 3)
    return math.pi * A / radius


def db_error(numeric: np.ndarray, exact: np.ndarray) -> np.ndarray:
    return spl_db(numeric) - spl_db(exact)


def phase_error_deg(numeric: np.ndarray, exact: np.ndarray) -> np.ndarray:
    return np.degrees(np.angle(numeric / exact))


@pytest.fixture(scope="module")
def sphere_grid(sphere_msh: Path):
    return bem.load_grid(sphere_msh, MM)


@pytest.fixture(scope="module")
def sphere_sweep(sphere_grid):
    """Pulsating sphere at ka = 1, ka = π and the meshed sphere's own interior resonance."""
    kas = [1.0, math.pi, meshed_resonance_ka(sphere_grid)]
    calls: list[tuple[int, int, float]] = []
    points = observation_points(DISTANCE, SPHERE_ANGLES, ["horizontal", "vertical"])
    sweep = bem.solve_sweep(
        sphere_grid,
        [frequency_for_ka(ka) for ka in kas],
        points,
        c=C,
        rho=RHO,
        velocity=1.0,
        on_frequency=lambda i, n, f: calls.append((i, n, f)),
    )
    return kas, sweep, calls


@pytest.fixture(scope="module")
def cap_sweep(cap_msh: Path):
    kas = [1.0, 2.0]
    grid = bem.load_grid(cap_msh, MM)
    points = polar_points(DISTANCE, CAP_ANGLES, "horizontal")
    return kas, bem.solve_sweep(grid, [frequency_for_ka(ka) for ka in kas], points, c=C, rho=RHO, velocity=1.0)


def test_load_grid_scales_to_metres_and_keeps_tags_but_drops_the_interface(cap_msh: Path) -> None:
    grid = bem.load_grid(cap_msh, MM)
    radii = np.linalg.norm(grid.vertices, axis=0)
    assert radii.max() == pytest.approx(A, rel=1e-6)
    assert radii.min() > 0.95 * A
    assert set(np.unique(grid.domain_indices)) == {1, 2}


def test_load_grid_result_is_a_closed_surface_with_outward_normals(cap_msh: Path) -> None:
    grid = bem.load_grid(cap_msh, MM)
    edges = np.sort(np.hstack([grid.elements[[0, 1]], grid.elements[[1, 2]], grid.elements[[2, 0]]]), axis=0)
    _, uses = np.unique(edges, axis=1, return_counts=True)
    assert np.all(uses == 2)
    assert enclosed_volume(grid) == pytest.approx(4 / 3 * math.pi * A**3, rel=0.05)


def test_load_grid_refuses_a_mesh_without_a_source(tmp_path: Path) -> None:
    path = write_sphere_msh(tmp_path / "rigid.msh", SPHERE_RADIUS_MM, 60.0, all_tag=1)
    with pytest.raises(ValueError, match="no source surface"):
        bem.load_grid(path, MM)


def test_pulsating_sphere_matches_the_analytic_pressure_at_ka_1(sphere_sweep) -> None:
    kas, sweep, _ = sphere_sweep
    exact = pulsating_sphere(DISTANCE, kas[0] / A, A, 1.0, RHO, C)
    assert np.abs(db_error(sweep.field[0], exact)).max() < 0.5
    assert np.abs(phase_error_deg(sweep.field[0], exact)).max() < 3.0


@pytest.mark.parametrize("which", [1, 2], ids=["ka_pi", "meshed_resonance"])
def test_pulsating_sphere_stays_accurate_at_the_interior_resonance(sphere_sweep, which: int) -> None:
    kas, sweep, _ = sphere_sweep
    exact = pulsating_sphere(DISTANCE, kas[which] / A, A, 1.0, RHO, C)
    assert np.abs(db_error(sweep.field[which], exact)).max() < 0.5
    assert np.abs(phase_error_deg(sweep.field[which], exact)).max() < 3.0


@pytest.mark.filterwarnings("ignore:scipy.sparse.linalg.gmres called without:DeprecationWarning")
def test_meshed_resonance_really_breaks_the_formulation_without_the_hypersingular_term(
    sphere_grid, sphere_sweep
) -> None:
    """Guards the resonance test itself: (½I − K) p = −V g alone is far off at that frequency."""
    from bempp_cl.api import GridFunction, function_space, linalg
    from bempp_cl.api.operators import boundary, potential

    kas, _, _ = sphere_sweep
    k = kas[2] / A
    p1 = function_space(sphere_grid, "P", 1)
    source = function_space(sphere_grid, "DP", 0, segments=[2])
    g = GridFunction(source, coefficients=np.full(source.global_dof_count, 1j * k * C * RHO))
    lhs = 0.5 * boundary.sparse.identity(p1, p1, p1) - boundary.helmholtz.double_layer(p1, p1, p1, k)
    pressure, _ = linalg.gmres(lhs, -boundary.helmholtz.single_layer(source, p1, p1, k) * g, tol=1e-6)
    points = np.array([[0.0], [0.0], [DISTANCE]])
    plain = potential.helmholtz.double_layer(p1, points, k).evaluate(pressure)
    plain -= potential.helmholtz.single_layer(source, points, k).evaluate(g)
    exact = pulsating_sphere(DISTANCE, k, A, 1.0, RHO, C)
    assert abs(db_error(plain[0, 0], exact)) > 3.0


def test_pulsating_sphere_throat_impedance_is_ika_over_ika_minus_1(sphere_sweep) -> None:
    kas, sweep, _ = sphere_sweep
    z = throat_impedance(sweep.throat_pressure, sweep.source_velocity, RHO, C)
    exact = np.array([1j * ka / (1j * ka - 1) for ka in kas])
    assert np.abs(z - exact).max() < 0.03


def test_sweep_reports_each_frequency_before_solving_it(sphere_sweep) -> None:
    kas, sweep, calls = sphere_sweep
    assert calls == [(i, 3, pytest.approx(frequency_for_ka(ka))) for i, ka in enumerate(kas)]
    assert len(sweep.solve_seconds) == len(sweep.gmres_iterations) == 3
    assert all(n > 0 for n in sweep.gmres_iterations)
    assert bem.is_warm()


def test_cap_on_rigid_sphere_matches_the_analytic_normalised_polar(cap_sweep) -> None:
    kas, sweep = cap_sweep
    for row, ka in enumerate(kas):
        exact = cap_on_sphere(DISTANCE, np.radians(CAP_ANGLES), ka / A, A, CAP_HALF_ANGLE, 1.0, RHO, C)
        error = db_error(sweep.field[row], exact)
        assert np.abs(error - error[0]).max() < 0.2, f"ka = {ka}"


def test_cap_on_rigid_sphere_matches_the_analytic_spl(cap_sweep) -> None:
    kas, sweep = cap_sweep
    for row, ka in enumerate(kas):
        exact = cap_on_sphere(DISTANCE, np.radians(CAP_ANGLES), ka / A, A, CAP_HALF_ANGLE, 1.0, RHO, C)
        assert np.abs(db_error(sweep.field[row], exact)).max() < 0.5, f"ka = {ka}"


def test_acceleration_drive_is_velocity_times_minus_i_omega(sphere_grid, sphere_sweep) -> None:
    kas, by_velocity, _ = sphere_sweep
    f = frequency_for_ka(kas[0])
    points = observation_points(DISTANCE, SPHERE_ANGLES, ["horizontal", "vertical"])
    by_acceleration = bem.solve_sweep(sphere_grid, [f], points, c=C, rho=RHO, acceleration=-1j * 2 * math.pi * f)
    assert by_acceleration.drive == "acceleration"
    assert by_acceleration.source_velocity == pytest.approx([1.0])
    assert by_acceleration.field[0] == pytest.approx(by_velocity.field[0], rel=1e-6)


def test_both_drives_at_once_are_refused(sphere_grid) -> None:
    with pytest.raises(ValueError, match="either"):
        bem.solve_sweep(sphere_grid, [100.0], np.zeros((3, 1)), c=C, rho=RHO, velocity=1.0, acceleration=1.0)


def test_points_must_be_three_by_m(sphere_grid) -> None:
    with pytest.raises(ValueError, match="shape"):
        bem.solve_sweep(sphere_grid, [100.0], np.zeros((1, 3)), c=C, rho=RHO)


def test_stop_request_before_the_first_frequency_cancels_without_solving(sphere_grid) -> None:
    calls: list[tuple[int, int, float]] = []
    with pytest.raises(Cancelled):
        bem.solve_sweep(
            sphere_grid,
            [100.0, 200.0],
            np.zeros((3, 1)) + 1,
            c=C,
            rho=RHO,
            on_frequency=lambda *call: calls.append(call),
            should_stop=lambda: True,
        )
    assert calls == []


def test_stop_request_between_frequencies_cancels_after_the_current_one(tmp_path: Path) -> None:
    grid = bem.load_grid(write_sphere_msh(tmp_path / "coarse.msh", SPHERE_RADIUS_MM, 60.0), MM)
    calls: list[tuple[int, int, float]] = []
    with pytest.raises(Cancelled):
        bem.solve_sweep(
            grid,
            [100.0, 200.0, 300.0],
            np.array([[0.0], [0.0], [1.0]]),
            c=C,
            rho=RHO,
            on_frequency=lambda *call: calls.append(call),
            should_stop=lambda: len(calls) == 1,
        )
    assert calls == [(0, 3, 100.0)]
