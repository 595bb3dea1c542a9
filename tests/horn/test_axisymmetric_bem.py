"""The axisymmetric Burton–Miller solve against closed-form sphere radiation, and its ring integrals.

Spheres are generatrices of straight elements from pole to pole; all solves share one process so numba loads
its compiled kernels once.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.special import ellipkm1, spherical_jn, spherical_yn

from engine.solvers import Cancelled
from engine.solvers.horn.axisymmetric import bem, kernels, operators
from engine.solvers.horn.axisymmetric.generatrix import Generatrix, horn_outline, outline_sizes
from engine.solvers.horn.config import HornConfig
from engine.solvers.horn.post import beamwidth_6db, polar_points, spl_db, throat_impedance
from engine.solvers.horn.validation import parse

from .analytic import cap_on_sphere, pulsating_sphere
from .test_config import rosse, with_section

pytestmark = pytest.mark.solver

C = 343.0
RHO = 1.205
A = 0.1
DISTANCE = 2.0
ANGLES = np.arange(0.0, 181.0, 10.0)
CAP_HALF_ANGLE = math.radians(30.0)
#: Element counts: the sphere's error falls as 1/N² (at the resonance 0.0049 dB at 40, 0.0012 at 80, 0.0003 at
#: 160), the cap's as 1/N (at ka = 5 0.17 dB normalised at 80, 0.068 at 160, 0.039 at 320).
SPHERE_ELEMENTS = 120
CAP_ELEMENTS = 240


def sphere_outline(elements: int, cap: float | None = None) -> Generatrix:
    """A sphere of radius A, all source, or source on the cap θ < ``cap`` with an element boundary at its rim."""
    if cap is None:
        theta = np.linspace(0.0, math.pi, elements + 1)
        tags = np.full(elements, 2)
    else:
        on_cap = round(elements * cap / math.pi)
        theta = np.concatenate([np.linspace(0, cap, on_cap + 1), np.linspace(cap, math.pi, elements - on_cap + 1)[1:]])
        tags = np.where(np.arange(elements) < on_cap, 2, 1)
    return Generatrix.chain(np.column_stack([A * np.sin(theta), A * np.cos(theta)]), tags)


def meshed_resonance_ka(outline: Generatrix) -> float:
    """ka of the first interior Dirichlet resonance of the faceted sphere (its equal-volume radius at ka_eff = π)."""
    (r0, z0), (r1, z1) = outline.starts.T, outline.ends.T
    volume = abs(np.sum(math.pi * (r0**2 + r0 * r1 + r1**2) * (z1 - z0) / 3))
    return math.pi * A / (3 * volume / (4 * math.pi)) ** (1 / 3)


def frequency_for_ka(ka: float) -> float:
    return ka / A * C / (2 * math.pi)


def db_error(numeric: np.ndarray, exact: np.ndarray) -> np.ndarray:
    return spl_db(numeric) - spl_db(exact)


def flux(outline: Generatrix, k: float) -> np.ndarray:
    return np.where(outline.tags == 2, 1j * k * C * RHO, 0.0).astype(np.complex128)


@pytest.fixture(scope="module")
def sphere():
    outline = sphere_outline(SPHERE_ELEMENTS)
    kas = [1.0, meshed_resonance_ka(outline)]
    calls: list[tuple[int, int, float]] = []
    sweep = bem.solve_sweep(
        outline,
        [frequency_for_ka(ka) for ka in kas],
        polar_points(DISTANCE, ANGLES, "horizontal"),
        c=C,
        rho=RHO,
        on_frequency=lambda *call: calls.append(call),
    )
    return outline, kas, sweep, calls


@pytest.fixture(scope="module")
def cap_sweep():
    kas = [1.0, 3.0, 5.0]
    outline = sphere_outline(CAP_ELEMENTS, CAP_HALF_ANGLE)
    points = polar_points(DISTANCE, ANGLES, "vertical")
    return kas, bem.solve_sweep(outline, [frequency_for_ka(ka) for ka in kas], points, c=C, rho=RHO)


def brute_force_ring_single_layer(x: tuple[float, float], y: tuple[float, float], k: float) -> complex:
    """r_y ∫₀^{2π} G dφ by the trapezoidal rule, spectrally accurate for this periodic integrand."""
    phi = np.linspace(0.0, 2 * math.pi, 20001)[:-1]
    distance = np.sqrt(x[0] ** 2 + y[0] ** 2 - 2 * x[0] * y[0] * np.cos(phi) + (x[1] - y[1]) ** 2)
    return complex(np.mean(np.exp(1j * k * distance) / (4 * math.pi * distance)) * 2 * math.pi * y[0])


def test_ring_single_layer_matches_brute_force_azimuth_quadrature() -> None:
    for x, y, k in [
        ((0.1, 0.0), (0.12, 0.05), 30.0),
        ((0.1, 0.0), (0.07, -0.02), 5.0),
        ((0.05, 0.0), (0.3, 0.2), 60.0),
    ]:
        ring = kernels.ring_single_layer(x[0], x[1], y[0], y[1], k)
        assert ring == pytest.approx(brute_force_ring_single_layer(x, y, k), rel=1e-8)


def test_static_ring_single_layer_matches_the_elliptic_integral_next_to_the_singularity() -> None:
    rx, ry, dz = 0.1, 0.1 + 1e-7, 1e-7
    a2 = (rx + ry) ** 2 + dz**2
    one_minus_m = ((rx - ry) ** 2 + dz**2) / a2
    exact = 4 * ellipkm1(one_minus_m) / math.sqrt(a2) / (4 * math.pi) * ry
    ring = kernels.ring_single_layer(rx, 0.0, ry, dz, 0.0)
    assert ring.real == pytest.approx(exact, rel=1e-6)


def test_static_double_layer_rows_sum_to_minus_one_half_on_the_closed_outline() -> None:
    """The off-diagonal entries and the directly integrated own element, with no identity used."""
    outline = sphere_outline(40, CAP_HALF_ANGLE)
    _, double, _, _ = operators.assemble(outline.starts, outline.ends, outline.normals, outline.tags == 2, 0.0)
    off_diagonal = double.real.sum(axis=1) - np.diag(double.real)
    own = kernels.own_static_double_layer(outline.starts, outline.ends, outline.normals)
    assert np.abs(off_diagonal + own + 0.5).max() < 1e-6


def test_hypersingular_operator_on_a_constant_matches_the_sphere_eigenvalue() -> None:
    """For a sphere, W[1] = −i k³ a² j0′(ka) h0′(ka) (h0 = j0 + i y0)."""
    ka = 1.0
    k = ka / A
    outline = sphere_outline(SPHERE_ELEMENTS)
    *_, hyper = operators.assemble(outline.starts, outline.ends, outline.normals, outline.tags == 2, k)
    h0_prime = spherical_jn(0, ka, derivative=True) + 1j * spherical_yn(0, ka, derivative=True)
    exact = -1j * k**3 * A**2 * spherical_jn(0, ka, derivative=True) * h0_prime
    assert np.abs(hyper.sum(axis=1) / exact - 1).max() < 1e-4


@pytest.mark.parametrize("which", [0, 1], ids=["ka_1", "meshed_resonance"])
def test_pulsating_sphere_matches_the_analytic_pressure(sphere, which: int) -> None:
    _, kas, sweep, _ = sphere
    exact = pulsating_sphere(DISTANCE, kas[which] / A, A, 1.0, RHO, C)
    assert np.abs(db_error(sweep.field[which], exact)).max() < 0.05
    assert np.abs(np.degrees(np.angle(sweep.field[which] / exact))).max() < 0.3


def test_pulsating_sphere_error_falls_as_one_over_n_squared() -> None:
    """K′ corrected for the faceting; uncorrected, the error only halved with each doubling of N."""
    exact = pulsating_sphere(DISTANCE, 1.0 / A, A, 1.0, RHO, C)
    points = polar_points(DISTANCE, ANGLES, "horizontal")

    def error(elements: int) -> float:
        sweep = bem.solve_sweep(sphere_outline(elements), [frequency_for_ka(1.0)], points, c=C, rho=RHO)
        return float(np.abs(sweep.field[0] / exact - 1).max())

    assert error(40) / error(80) > 3.5


def test_faceting_excess_is_ln4_kappa_l_over_4pi_on_a_sphere_and_nothing_on_flats_or_at_corners() -> None:
    elements = 40
    assert bem.faceting_excess(sphere_outline(elements)) == pytest.approx(
        np.full(elements, math.log(4) * (math.pi / elements) / (4 * math.pi))
    )
    closed_cylinder = np.array(
        [[0.0, 0.1], [0.05, 0.1], [0.1, 0.1], [0.1, 0.0], [0.1, -0.1], [0.05, -0.1], [0.0, -0.1]]
    )
    assert np.abs(bem.faceting_excess(Generatrix.chain(closed_cylinder, np.full(6, 2)))).max() < 1e-15


def test_meshed_resonance_really_breaks_the_formulation_without_the_hypersingular_term(sphere) -> None:
    outline, kas, _, _ = sphere
    k = kas[1] / A
    g = flux(outline, k)
    pressure = bem.surface_pressure(outline, k, g, burton_miller=False)
    plain = operators.radiate(outline.starts, outline.ends, outline.normals, k, pressure, g, np.zeros(1), np.ones(1))
    exact = pulsating_sphere(1.0, k, A, 1.0, RHO, C)
    assert abs(db_error(plain[0], exact)) > 3.0


def test_pulsating_sphere_throat_impedance_is_ika_over_ika_minus_1(sphere) -> None:
    _, kas, sweep, _ = sphere
    z = throat_impedance(sweep.throat_pressure, sweep.source_velocity, RHO, C)
    exact = np.array([1j * ka / (1j * ka - 1) for ka in kas])
    assert np.abs(z / exact - 1).max() < 0.005


def test_cap_on_rigid_sphere_matches_the_analytic_spl(cap_sweep) -> None:
    kas, sweep = cap_sweep
    for row, ka in enumerate(kas):
        exact = cap_on_sphere(DISTANCE, np.radians(ANGLES), ka / A, A, CAP_HALF_ANGLE, 1.0, RHO, C)
        assert np.abs(db_error(sweep.field[row], exact)).max() < 0.2, f"ka = {ka}"


def test_cap_on_rigid_sphere_matches_the_analytic_normalised_polar(cap_sweep) -> None:
    kas, sweep = cap_sweep
    for row, ka in enumerate(kas):
        exact = cap_on_sphere(DISTANCE, np.radians(ANGLES), ka / A, A, CAP_HALF_ANGLE, 1.0, RHO, C)
        error = db_error(sweep.field[row], exact)
        assert np.abs(error - error[0]).max() < 0.1, f"ka = {ka}"


def test_sweep_reports_each_frequency_before_solving_it_as_a_direct_solve(sphere) -> None:
    _, kas, sweep, calls = sphere
    assert calls == [(i, 2, pytest.approx(frequency_for_ka(ka))) for i, ka in enumerate(kas)]
    assert sweep.gmres_iterations == [0, 0]
    assert len(sweep.solve_seconds) == 2
    assert sweep.unknowns == SPHERE_ELEMENTS
    assert bem.is_warm()


def test_acceleration_drive_is_velocity_times_minus_i_omega(sphere) -> None:
    outline, kas, by_velocity, _ = sphere
    f = frequency_for_ka(kas[0])
    points = polar_points(DISTANCE, ANGLES, "horizontal")
    by_acceleration = bem.solve_sweep(outline, [f], points, c=C, rho=RHO, acceleration=-1j * 2 * math.pi * f)
    assert by_acceleration.drive == "acceleration"
    assert by_acceleration.field[0] == pytest.approx(by_velocity.field[0], rel=1e-9)


def test_an_outline_without_a_source_is_refused() -> None:
    rigid = Generatrix.chain(np.array([[0.0, 0.1], [0.1, 0.0], [0.0, -0.1]]), np.array([1, 1]))
    with pytest.raises(ValueError, match="no source"):
        bem.solve_sweep(rigid, [100.0], np.ones((3, 1)), c=C, rho=RHO)


@pytest.mark.parametrize("frequencies", [[], [0.0], [-5.0], [float("nan")]])
def test_frequencies_must_be_positive(frequencies: list[float]) -> None:
    with pytest.raises(ValueError, match="frequencies"):
        bem.solve_sweep(sphere_outline(8), frequencies, np.ones((3, 1)), c=C, rho=RHO)


def test_points_must_be_three_by_m() -> None:
    with pytest.raises(ValueError, match="shape"):
        bem.solve_sweep(sphere_outline(8), [100.0], np.zeros((1, 3)), c=C, rho=RHO)


def test_stop_request_between_frequencies_cancels_after_the_current_one() -> None:
    calls: list[tuple[int, int, float]] = []
    with pytest.raises(Cancelled, match="1/3"):
        bem.solve_sweep(
            sphere_outline(8),
            [100.0, 200.0, 300.0],
            np.array([[0.0], [0.0], [1.0]]),
            c=C,
            rho=RHO,
            on_frequency=lambda *call: calls.append(call),
            should_stop=lambda: len(calls) == 1,
        )
    assert calls == [(0, 3, 100.0)]


def thin_walled_horn_beamwidth(a: float, size_mm: float | None = None) -> float:
    """The 1 kHz −6 dB beamwidth of a 3 mm-walled R-OSSE horn (R = 160 mm) on the outline the solver would build
    for 1 kHz from 4/10 mm configured sizes, or on one of ``size_mm`` everywhere."""
    raw = with_section(rosse(a=a, R=160, wall_thickness=3), "mesh", throat_size=4, mouth_size=10)
    cfg = HornConfig.from_dict(parse(raw, Path(".")).config)
    sizes = outline_sizes(cfg, 1000.0) if size_mm is None else (size_mm, size_mm)
    angles = np.arange(0.0, 181.0, 1.0)
    sweep = bem.solve_sweep(
        horn_outline(cfg.horn, *sizes), [1000.0], polar_points(DISTANCE, angles, "horizontal"), c=C, rho=RHO
    )
    return float(beamwidth_6db(spl_db(sweep.field[:1]), angles)[0])


def test_a_thin_walled_horn_changes_smoothly_with_its_coverage_angle_and_agrees_with_a_fine_outline() -> None:
    angles = np.arange(41.5, 43.01, 0.25)
    widths = np.array([thin_walled_horn_beamwidth(a) for a in angles])
    assert np.abs(np.diff(widths)).max() < 0.4, "one element more or less on a side must not make the result jump"
    fine = np.array([thin_walled_horn_beamwidth(a, size_mm=0.75) for a in angles[[0, -1]]])
    assert np.abs(widths[[0, -1]] - fine).max() < 0.5
