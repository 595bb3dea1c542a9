"""Burton–Miller solve of an axisymmetric radiator along its generatrix, one dense system per frequency.

Conventions as in the 3-D solve: time factor e^(−iωt), G = e^{ikR}/(4πR), k = ω/c, normals into the air. The
surface pressure p and its normal derivative g = iωρ vₙ (source elements, zero on rigid ones) are constant
per element and collocated at element midpoints. With η = i/k,

    (½I − K + ηW) p = −V g − η(½I + K′) g

which, unlike (½I − K) p = −V g alone, has no interior resonances. The field is p(x) = D[p](x) − S[g](x).
K′ is corrected for the chords' faceting of a curved source, which would otherwise limit the solve to O(1/N).
The system is N×N with N a few hundred, so it is assembled in full and solved by LU.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
import scipy.linalg
from threadpoolctl import threadpool_limits

from engine.solvers.horn.axisymmetric import operators
from engine.solvers.horn.axisymmetric.generatrix import Generatrix
from engine.solvers.horn.constants import SOURCE
from engine.solvers.horn.sweep import FrequencySweep, Solved, SweepResult, solve_in_order

#: A vertex of the outline that turns by more than this is a corner of the body, not a faceted curve.
CORNER_TURN = np.radians(20.0)

_warm = False


def is_warm() -> bool:
    """Whether this process has already run the compiled kernels (later frequencies skip loading them)."""
    return _warm


def solve_sweep(
    outline: Generatrix,
    frequencies: Sequence[float],
    points: np.ndarray,
    *,
    c: float,
    rho: float,
    velocity: complex | None = None,
    acceleration: complex | None = None,
    on_frequency: Callable[[int, int, float], None] | None = None,
    on_solved: Callable[[Solved], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> SweepResult:
    """Solve the radiation problem at each frequency and evaluate the pressure at ``points`` (3×M, metres).

    The field of an axisymmetric source depends only on (√(x² + y²), z). The source moves with vₙ = 1 m/s
    unless a velocity or an acceleration is given. ``on_frequency(i, n, f)`` runs before each frequency and
    ``on_solved`` after it; ``should_stop()`` is asked before each one and a true answer raises ``Cancelled``.
    """
    sweep = Sweep(outline, frequencies, points, c=c, rho=rho, velocity=velocity, acceleration=acceleration)
    return solve_in_order(sweep, on_frequency, on_solved, should_stop)


class Sweep(FrequencySweep):
    """One outline's sweep, solved a frequency at a time in any order."""

    def __init__(
        self,
        outline: Generatrix,
        frequencies: Sequence[float],
        points: np.ndarray,
        *,
        c: float,
        rho: float,
        velocity: complex | None = None,
        acceleration: complex | None = None,
    ) -> None:
        self.outline = outline
        self.source = np.asarray(outline.tags) == SOURCE
        if not self.source.any():
            raise ValueError(f"the outline has no source elements (tag {SOURCE})")
        super().__init__(
            frequencies, points, c=c, rho=rho, velocity=velocity, acceleration=acceleration, unknowns=len(outline.tags)
        )
        pts = self.points
        # the field depends only on (r, z): points that share them (the same angle in two planes) are computed once
        places, self.place_of = np.unique(
            np.column_stack([np.hypot(pts[0], pts[1]), pts[2]]), axis=0, return_inverse=True
        )
        self.radius, self.axial = places[:, 0].copy(), places[:, 1].copy()
        self.areas = outline.areas[self.source]

    def solve(self, i: int) -> Solved:
        """Solve the ``i``-th frequency of the sweep.

        The LU of a few hundred unknowns takes milliseconds on one thread, and OpenBLAS's idle threads would
        spin against the assembly's own threads between solves (measured: the sweep twice as slow on 2 cores).
        """
        global _warm
        with threadpool_limits(limits=1, user_api="blas"):
            started = time.perf_counter()
            f = self.frequencies[i]
            omega = 2 * np.pi * f
            k = omega / self.c
            source, outline = self.source, self.outline
            flux = np.where(source, 1j * omega * self.rho * self.v_n[i], 0.0).astype(np.complex128)
            pressure = surface_pressure(outline, k, flux)
            self.field[i] = _field(outline, k, pressure, flux, self.radius, self.axial)[self.place_of.ravel()]
            self.throat[i] = np.sum(self.areas * pressure[source]) / self.areas.sum()
            _warm = True
            return self.record(i, started)


def surface_pressure(outline: Generatrix, k: float, flux: np.ndarray, *, burton_miller: bool = True) -> np.ndarray:
    """Element pressures for the normal derivative ``flux`` (per element, zero off the source).

    ``burton_miller=False`` solves the plain (½I − K) p = −V g, which fails at interior resonances.
    """
    driven = flux != 0
    single, double, adjoint, hyper = operators.assemble(outline.starts, outline.ends, outline.normals, driven, float(k))
    half = 0.5 * np.eye(len(flux))
    system = half - double
    rhs = -(single[:, driven] @ flux[driven])
    if burton_miller:
        eta = 1j / k
        system += eta * hyper
        adjoint[np.diag_indices(len(flux))] -= faceting_excess(outline)
        rhs -= eta * ((half[:, driven] + adjoint[:, driven]) @ flux[driven])
    return scipy.linalg.solve(system, rhs, overwrite_a=True, check_finite=False)


def faceting_excess(outline: Generatrix) -> np.ndarray:
    """How much each element's midpoint overestimates K′ of the smooth generatrix its chords approximate:
    ln 4 · κL/(4π), κ the curvature (from the turns at the element's two ends; positive where the body bulges).

    Without it the solve converges only as 1/N on a curved source. Near x, K′ is the 2-D kernel
    −n_x·(x − y)/(2π|x − y|²), whose density along a curve is −κ/(4π). Seen from a chord's midpoint the own chord
    gives nothing and the others lie on the parabola through their ends, less their sag: in all
    2(1 − Σ)·κL/(4π) too much, Σ = Σ_m≥1 [2m ln((2m + 1)/(2m − 1)) − 2] = 1 − ln 2. The axis mirrors the end
    elements; a vertex turning by more than ``CORNER_TURN`` is a corner of the body, where the chords are exact.
    """
    tangents = (outline.ends - outline.starts) / outline.lengths[:, None]
    directions = np.vstack([tangents[:1], tangents, tangents[-1:]])
    directions[[0, -1], 1] *= -1  # the end elements' mirror images across the axis
    angles = np.arctan2(directions[:, 1], directions[:, 0])
    turns = -np.angle(np.exp(1j * np.diff(angles)))  # clockwise turns at the vertices, in (−π, π]
    lengths = np.concatenate([outline.lengths[:1], outline.lengths, outline.lengths[-1:]])
    curvature = np.where(np.abs(turns) < CORNER_TURN, 2 * turns / (lengths[:-1] + lengths[1:]), 0.0)
    return np.log(4) * (curvature[:-1] + curvature[1:]) / 2 * outline.lengths / (4 * np.pi)


def _field(
    outline: Generatrix, k: float, pressure: np.ndarray, flux: np.ndarray, radius: np.ndarray, axial: np.ndarray
) -> np.ndarray:
    return operators.radiate(outline.starts, outline.ends, outline.normals, float(k), pressure, flux, radius, axial)
