"""What a sweep produces, whichever method solved it, and the source drive both methods share."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from engine.solvers import Cancelled


@dataclass(frozen=True)
class SweepResult:
    """What one sweep produced, per frequency; complex values are amplitudes under e^(−iωt)."""

    frequencies: np.ndarray
    field: np.ndarray
    throat_pressure: np.ndarray
    source_velocity: np.ndarray
    drive: str
    drive_value: complex
    solve_seconds: list[float]
    gmres_iterations: list[int]
    #: Surface pressure unknowns in the solved system (the part's dofs under a symmetry).
    unknowns: int = 0


@dataclass(frozen=True)
class Solved:
    """One frequency just solved, for the job log: its place in the sweep, the system's size and its cost."""

    index: int
    frequency: float
    unknowns: int
    #: GMRES iterations; 0 for a direct solve.
    iterations: int
    seconds: float


class FrequencySweep:
    """What both methods keep of a sweep, frequency by frequency, filled in any order: each method's sweep
    solves one frequency (``solve``) and records it here; ``result()`` gives the frequencies solved so far."""

    def __init__(
        self,
        frequencies: Sequence[float],
        points: np.ndarray,
        *,
        c: float,
        rho: float,
        velocity: complex | None,
        acceleration: complex | None,
        unknowns: int,
    ) -> None:
        self.frequencies = np.asarray(frequencies, dtype=np.float64)
        freqs = self.frequencies
        if freqs.ndim != 1 or freqs.size == 0 or not np.all(np.isfinite(freqs)) or np.any(freqs <= 0):
            raise ValueError("frequencies must be a non-empty list of positive values")
        self.points = np.asarray(points, dtype=np.float64)
        if self.points.ndim != 2 or self.points.shape[0] != 3:
            raise ValueError("points must be an array of shape (3, M)")
        self.c, self.rho, self.unknowns = c, rho, unknowns
        self.drive, self.drive_value, self.v_n = source_velocities(freqs, velocity, acceleration)
        n = freqs.size
        self.field = np.empty((n, self.points.shape[1]), dtype=np.complex128)
        self.throat = np.empty(n, dtype=np.complex128)
        self.seconds = np.zeros(n)
        self.iterations = np.zeros(n, dtype=np.int64)
        self.done = np.zeros(n, dtype=bool)

    def solve(self, i: int) -> Solved:
        """Solve the ``i``-th frequency of the sweep (each method's own)."""
        raise NotImplementedError

    def record(self, i: int, started: float, iterations: int = 0) -> Solved:
        """Mark frequency ``i`` solved (its field and throat pressure already stored), timed from ``started``."""
        self.seconds[i] = time.perf_counter() - started
        self.iterations[i] = iterations
        self.done[i] = True
        return Solved(i, float(self.frequencies[i]), self.unknowns, iterations, float(self.seconds[i]))

    def result(self) -> SweepResult:
        solved = self.done
        return SweepResult(
            frequencies=self.frequencies[solved],
            field=self.field[solved],
            throat_pressure=self.throat[solved],
            source_velocity=self.v_n[solved],
            drive=self.drive,
            drive_value=self.drive_value,
            solve_seconds=[float(s) for s in self.seconds[solved]],
            gmres_iterations=[int(n) for n in self.iterations[solved]],
            unknowns=self.unknowns,
        )


def solve_in_order(
    sweep: FrequencySweep,
    on_frequency: Callable[[int, int, float], None] | None,
    on_solved: Callable[[Solved], None] | None,
    should_stop: Callable[[], bool] | None,
) -> SweepResult:
    """Every frequency of ``sweep`` in frequency order: ``on_frequency(i, n, f)`` before each, ``on_solved`` after
    it; ``should_stop()`` is asked before each and a true answer raises ``Cancelled``."""
    n = len(sweep.frequencies)
    for i, f in enumerate(sweep.frequencies):
        if should_stop is not None and should_stop():
            raise Cancelled(f"stopped before {f:.6g} Hz ({i}/{n} frequencies solved)")
        if on_frequency is not None:
            on_frequency(i, n, float(f))
        solved = sweep.solve(i)
        if on_solved is not None:
            on_solved(solved)
    return sweep.result()


def source_velocities(
    frequencies: np.ndarray, velocity: complex | None, acceleration: complex | None
) -> tuple[str, complex, np.ndarray]:
    """Normal velocity of the source per frequency; an acceleration a drives vₙ = a/(−iω) under e^(−iωt)."""
    if velocity is not None and acceleration is not None:
        raise ValueError("give either a velocity or an acceleration drive, not both")
    if acceleration is not None:
        omega = 2 * np.pi * frequencies
        return "acceleration", complex(acceleration), complex(acceleration) / (-1j * omega)
    value = complex(1.0 if velocity is None else velocity)
    return "velocity", value, np.full(frequencies.shape, value, dtype=np.complex128)


def joined(sweeps: list[SweepResult]) -> SweepResult:
    """Sweeps of bands as one, in frequency order."""
    if len(sweeps) == 1:
        return sweeps[0]
    order = np.argsort(np.concatenate([s.frequencies for s in sweeps]), kind="stable")

    def join(name: str) -> np.ndarray:
        return np.concatenate([np.asarray(getattr(s, name)) for s in sweeps])[order]

    first = sweeps[0]
    return dataclasses.replace(
        first,
        frequencies=join("frequencies"),
        field=join("field"),
        throat_pressure=join("throat_pressure"),
        source_velocity=join("source_velocity"),
        solve_seconds=[float(x) for x in join("solve_seconds")],
        gmres_iterations=[int(x) for x in join("gmres_iterations")],
        unknowns=max(s.unknowns for s in sweeps),
    )
