"""Rebuild the synthetic result fixtures: ``python -m tests.tui.data.make_results``.

The numbers are a deterministic, horn-like model rather than a solve, so the chart tests never wait for bempp:
the on-axis level rises above the horn's cutoff, the beam narrows with frequency to a constant coverage (the
−6 dB point sits exactly at the modelled half-angle), and the throat impedance settles towards ρc. Beamwidth and
directivity index come from the solver's own post-processing, so they agree with the polars as real results do.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from engine.solvers.horn.post import beamwidth_6db, directivity_index, mesh_metadata

DATA = Path(__file__).resolve().parent
FREQUENCIES = np.geomspace(200.0, 20000.0, 24)
ANGLES = np.arange(0.0, 181.0, 5.0)
DISTANCE = 2.0
C = 343.0


def half_angle(f: np.ndarray, coverage: float, low: float, corner: float) -> np.ndarray:
    """Half the −6 dB beamwidth: ``low`` at low frequency, settling to ``coverage`` / 2 above ``corner``."""
    return coverage / 2 + (low - coverage / 2) / (1 + (f / corner) ** 2)


def polar_spl(axis: np.ndarray, half: np.ndarray) -> np.ndarray:
    """SPL (frequencies × angles) falling as a parabola in dB: exactly −6 dB at the half-angle, floored at −50 dB."""
    drop = -6.0 * (ANGLES[None, :] / half[:, None]) ** 2
    ripple = 0.8 * np.sin(ANGLES[None, :] / 17.0) * np.sqrt(np.log10(FREQUENCIES[:, None] / 100.0))
    return axis[:, None] + np.maximum(drop + ripple * (ANGLES[None, :] > 0), -50.0)


def phase(f: np.ndarray) -> np.ndarray:
    """Phase (degrees, wrapped) of a wave that travelled the observation distance, with an angle-dependent lag."""
    lag = 360.0 * f[:, None] * (DISTANCE + 0.05 * np.sin(np.radians(ANGLES[None, :]))) / C
    return (180.0 - lag) % 360.0 - 180.0


def build(job_id: str, level: float, cutoff: float, coverage: tuple[float, float], mesh: dict[str, float]) -> dict:
    """One job's results in the shape the solver stores; ``cutoff`` (Hz) sets where horn loading starts."""
    f = FREQUENCIES
    axis = level - 14.0 * np.exp(-((f / cutoff) ** 2)) - 3.0 * np.log2(np.maximum(f / 8000.0, 1.0))
    halves = {
        "horizontal": half_angle(f, coverage[0], 120.0, 900.0),
        "vertical": half_angle(f, coverage[1], 110.0, 700.0),
    }
    spl = {plane: polar_spl(axis, half) for plane, half in halves.items()}
    power = [10 ** (levels / 20.0) for levels in spl.values()]
    impedance_real = 1.0 - np.exp(-((f / (1.2 * cutoff)) ** 2)) + 0.08 * np.sin(np.log(f) * 5.0) * np.exp(-f / 4000.0)
    impedance_imag = 0.7 * (f / (1.2 * cutoff)) * np.exp(-((f / (1.2 * cutoff)) ** 2)) + 0.05 * np.cos(np.log(f) * 5.0)

    def r(values: np.ndarray) -> list:
        return np.round(values, 3).tolist()

    return {
        "job_id": job_id,
        "frequencies_hz": r(f),
        "observation": {"distance_m": DISTANCE, "angles_deg": r(ANGLES)},
        "on_axis_spl_db": r(axis),
        "polar": {plane: {"spl_db": r(levels), "phase_deg": r(phase(f))} for plane, levels in spl.items()},
        "directivity_index_db": r(directivity_index(10 ** (axis / 20.0), power, ANGLES)),
        "beamwidth_6db_deg": {plane: r(beamwidth_6db(levels, ANGLES)) for plane, levels in spl.items()},
        # The model's reactance is mass-like (positive under e^(+jωt)); results are stated under e^(−iωt).
        "throat_impedance": {"real": r(impedance_real), "imag": r(-impedance_imag)},
        "metadata": {
            "time_convention": "exp(-i omega t)",
            "spl_reference": "SPL dB re 20 uPa rms at distance_m",
            "normalize_angle_deg": 0.0,
            "c": C,
            "rho": 1.205,
            "mesh": mesh_metadata(mesh),
        },
    }


def main() -> None:
    jobs = {
        "results.json": build(
            "3f2a9c1e-5b7d-4e21-9a0c-6d1f2b3c4d5e",
            104.0,
            450.0,
            (90.0, 60.0),
            {"triangles": 4812, "elements_per_wavelength": 6.8},
        ),
        "results_b.json": build(
            "8c41d7a2-0e6f-4b93-8d25-7a9e1c3b5f60",
            101.0,
            650.0,
            (60.0, 40.0),
            {"triangles": 3120, "elements_per_wavelength": 4.3},
        ),
    }
    for name, results in jobs.items():
        (DATA / name).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
