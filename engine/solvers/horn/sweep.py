"""What a sweep produces, whichever method solved it, and the source drive both methods share."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np


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
