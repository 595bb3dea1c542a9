"""Turn a BEM sweep into the numbers horn designers read: SPL, polars, beamwidth, DI, throat impedance.

Pure numpy, no bempp, so results can be rebuilt and tested without a solve. Geometry: the horn axis is +z with
the mouth facing +z. The horizontal plane is x–z with the polar angle θ measured from +z towards +x; the
vertical plane is y–z with θ measured from +z towards +y; angles run 0…180°. Complex pressures are amplitudes
under the time factor e^(−iωt).
"""

from __future__ import annotations

import functools
import math
import platform
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.solvers.horn.constants import HORIZONTAL, MIN_ELEMENTS_PER_WAVELENGTH, PLANES, VERTICAL
from engine.solvers.horn.sweep import SweepResult, joined

if TYPE_CHECKING:
    from engine.solvers.horn.config import HornConfig

P_REF = 20e-6
TIME_CONVENTION = "exp(-i omega t)"


def spl_db(p: np.ndarray | complex) -> np.ndarray:
    """SPL in dB re 20 µPa rms of a complex pressure amplitude (peak), hence the √2."""
    return 20 * np.log10(np.abs(p) / (math.sqrt(2) * P_REF))


def phase_deg(p: np.ndarray | complex) -> np.ndarray:
    """Phase of a complex amplitude in degrees, (−180, 180], in the e^(−iωt) convention of the solve."""
    return np.angle(p, deg=True)


def polar_points(distance_m: float, angles_deg: Sequence[float], plane: str) -> np.ndarray:
    """Points (3×M, metres) at ``distance_m`` from the origin along the polar angles of one plane."""
    theta = np.radians(np.asarray(angles_deg, dtype=np.float64))
    along = distance_m * np.sin(theta)
    axial = distance_m * np.cos(theta)
    zeros = np.zeros_like(theta)
    if plane == HORIZONTAL:
        return np.vstack([along, zeros, axial])
    if plane == VERTICAL:
        return np.vstack([zeros, along, axial])
    raise ValueError(f"unknown plane {plane!r}; expected one of {', '.join(PLANES)}")


def observation_points(distance_m: float, angles_deg: Sequence[float], planes: Sequence[str]) -> np.ndarray:
    """All field points of a job: each plane's polar in the order given, then one on-axis point.

    ``build_results`` reads the sweep's field columns in this same order; the trailing on-axis point keeps
    the on-axis response and the DI reference available even when 0° is not among the angles.
    """
    blocks = [polar_points(distance_m, angles_deg, plane) for plane in planes]
    blocks.append(np.array([[0.0], [0.0], [float(distance_m)]]))
    return np.hstack(blocks)


def normalized_polar(spl: np.ndarray, angles_deg: Sequence[float], reference_deg: float = 0.0) -> np.ndarray:
    """SPL (frequencies × angles) relative to the level at ``reference_deg``, interpolated between angles.

    Normalising to 10° instead of 0° is common for horns whose on-axis response has a narrow peak or dip.
    """
    angles = np.asarray(angles_deg, dtype=np.float64)
    levels = np.atleast_2d(np.asarray(spl, dtype=np.float64))
    order = np.argsort(angles)
    if not angles[order[0]] <= reference_deg <= angles[order[-1]]:
        raise ValueError(f"normalisation angle {reference_deg:g}° is outside the polar angles")
    reference = np.array([np.interp(reference_deg, angles[order], row[order]) for row in levels])
    return levels - reference[:, None]


def beamwidth_6db(spl: np.ndarray, angles_deg: Sequence[float]) -> np.ndarray:
    """Full −6 dB beamwidth (degrees) per frequency from one-sided polars (frequencies × angles).

    The level at the smallest angle (normally 0°, on axis) is the reference; the first crossing of −6 dB,
    linearly interpolated between neighbouring angles, is the half angle, mirrored for the full angle. A polar
    that never falls 6 dB below the reference reports 2 × the largest angle (360° for 0…180°): the beam is
    wider than the data can show, and that cap is the honest upper bound.
    """
    angles = np.asarray(angles_deg, dtype=np.float64)
    order = np.argsort(angles)
    angles = angles[order]
    levels = np.atleast_2d(np.asarray(spl, dtype=np.float64))[:, order]
    widths = np.empty(levels.shape[0])
    for row, level in enumerate(levels):
        drop = level - level[0] + 6.0
        below = np.nonzero(drop <= 0)[0]
        if below.size == 0:
            widths[row] = 2 * angles[-1]
            continue
        j = below[0]
        fraction = drop[j - 1] / (drop[j - 1] - drop[j])
        widths[row] = 2 * (angles[j - 1] + fraction * (angles[j] - angles[j - 1]))
    return widths


def directivity_index(
    axis_pressure: np.ndarray, polars: Sequence[np.ndarray], angles_deg: Sequence[float]
) -> np.ndarray:
    """DI (dB) per frequency from on-axis pressures (F) and one or two planes' polar pressures (F × angles).

    DI = 10 log10(|p_axis|² / ⟨|p|²⟩_sphere). The sphere mean is estimated from the planes as ABEC/ATH do: at
    polar angle θ and azimuth φ, |p|² ≈ cos²φ·H(θ) + sin²φ·V(θ) between the horizontal (H) and vertical (V)
    planes, whose mean over φ is (H + V)/2; that is then averaged over θ with the solid-angle weight sin θ
    (trapezoid rule on the given angles, normalised by the same rule so an omnidirectional source gives
    exactly 0 dB). One plane stands for a rotationally symmetric source. Angles that stop short of 180° give
    the mean over the covered part of the sphere only.
    """
    angles = np.radians(np.asarray(angles_deg, dtype=np.float64))
    order = np.argsort(angles)
    angles = angles[order]
    if not polars:
        raise ValueError("the directivity index needs at least one plane's polar")
    power = np.mean([np.abs(np.atleast_2d(p)[:, order]) ** 2 for p in polars], axis=0)
    weights = np.zeros_like(angles)
    steps = np.diff(angles)
    weights[:-1] += steps / 2
    weights[1:] += steps / 2
    weights *= np.sin(angles)
    if weights.sum() <= 0:
        raise ValueError("the directivity index needs polar angles spanning more than one point")
    sphere_mean = power @ weights / weights.sum()
    return 10 * np.log10(np.abs(np.asarray(axis_pressure)) ** 2 / sphere_mean)


def throat_impedance(throat_pressure: np.ndarray, velocity: np.ndarray | complex, rho: float, c: float) -> np.ndarray:
    """Normalised acoustic impedance ⟨p⟩_source / (ρ c vₙ): 1 + 0j is a plane wave's load."""
    return np.asarray(throat_pressure) / (rho * c * np.asarray(velocity))


def _floats(values: Any) -> list[Any]:
    """Plain nested lists of Python floats, so the results serialise to JSON and compare exactly."""
    return np.asarray(values, dtype=np.float64).tolist()


@functools.cache
def library_versions() -> dict[str, str]:
    """Versions that shaped the numbers, recorded with every result for reproducibility (looked up once per
    process: partial results rebuild the document after every frequency)."""
    from importlib import metadata

    versions = {"python": platform.python_version(), "numpy": np.__version__}
    for label, dist in (("bempp-cl", "bempp-cl"), ("gmsh", "gmsh")):
        try:
            versions[label] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return versions


def mesh_metadata(mesh_meta: dict[str, Any]) -> dict[str, Any]:
    """The mesher's report, plus a warning when it resolves the top frequency with fewer than 6 elements.

    Results from a coarse mesh are still stored, but a reader must see that the high end is not trustworthy.
    """
    meta = {key: value.item() if isinstance(value, np.generic) else value for key, value in mesh_meta.items()}
    achieved = meta.get("elements_per_wavelength")
    if achieved is not None and achieved < MIN_ELEMENTS_PER_WAVELENGTH and not meta.get("warning"):
        meta["warning"] = (
            f"only {achieved:.1f} elements per wavelength at the highest frequency "
            f"(at least {MIN_ELEMENTS_PER_WAVELENGTH} needed): results there are unreliable"
        )
    return meta


def job_results(
    job_id: str,
    cfg: HornConfig,
    sweeps: Sequence[SweepResult],
    *,
    mesh_meta: dict[str, Any],
    solver_meta: dict[str, Any],
) -> dict[str, Any]:
    """A job's results from its bands' sweeps, as far as they are solved (a band not begun is left out)."""
    obs = cfg.observation
    return build_results(
        job_id,
        joined([sweep for sweep in sweeps if sweep.frequencies.size]),
        distance_m=obs.distance,
        angles_deg=obs.angles,
        planes=obs.planes,
        normalize_angle=obs.normalize_angle,
        c=cfg.medium.c,
        rho=cfg.medium.rho,
        mesh_meta=mesh_meta,
        solver_meta=solver_meta,
    )


def build_results(
    job_id: str,
    sweep: SweepResult,
    *,
    distance_m: float,
    angles_deg: Sequence[float],
    planes: Sequence[str],
    normalize_angle: float = 0.0,
    c: float,
    rho: float,
    velocity: complex | None = None,
    mesh_meta: dict[str, Any],
    solver_meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The stored result of a horn job, as plain JSON data.

    ``sweep.field`` columns must follow ``observation_points(distance_m, angles_deg, planes)``. The throat
    impedance is normalised by the source velocity of each frequency recorded in the sweep, or by
    ``velocity`` when given (e.g. to refer an acceleration-driven sweep to a fixed velocity).
    """
    angles = [float(a) for a in angles_deg]
    unknown = [p for p in planes if p not in PLANES]
    if unknown or not planes or len(set(planes)) != len(planes):
        raise ValueError(f"planes must be distinct values among {', '.join(PLANES)}")
    if not angles or not min(angles) <= normalize_angle <= max(angles):
        raise ValueError(f"normalisation angle {normalize_angle:g}° is outside the polar angles")
    expected = len(planes) * len(angles) + 1
    field = np.asarray(sweep.field)
    if field.shape != (len(sweep.frequencies), expected):
        raise ValueError(f"sweep field has shape {field.shape}, expected {(len(sweep.frequencies), expected)}")

    axis = field[:, -1]
    polar_pressure = {plane: field[:, i * len(angles) : (i + 1) * len(angles)] for i, plane in enumerate(planes)}
    polar = {
        plane: {"spl_db": _floats(spl_db(p)), "phase_deg": _floats(phase_deg(p))} for plane, p in polar_pressure.items()
    }
    beamwidth = {plane: _floats(beamwidth_6db(spl_db(p), angles)) for plane, p in polar_pressure.items()}
    reference_velocity = sweep.source_velocity if velocity is None else velocity
    impedance = throat_impedance(sweep.throat_pressure, reference_velocity, rho, c)

    metadata = {
        "time_convention": TIME_CONVENTION,
        "spl_reference": "SPL dB re 20 uPa rms at distance_m",
        "phase_convention": "degrees, arg p under exp(-i omega t)",
        "drive": {
            "type": sweep.drive,
            "value": {"real": sweep.drive_value.real, "imag": sweep.drive_value.imag},
        },
        "normalize_angle_deg": float(normalize_angle),
        "c": float(c),
        "rho": float(rho),
        "mesh": mesh_metadata(mesh_meta),
        **({"solver": solver_meta} if solver_meta is not None else {}),
        "solve_seconds": _floats(sweep.solve_seconds),
        "gmres_iterations": [int(n) for n in sweep.gmres_iterations],
        "versions": dict(library_versions()),
    }
    return {
        "job_id": job_id,
        "frequencies_hz": _floats(sweep.frequencies),
        "observation": {"distance_m": float(distance_m), "angles_deg": angles},
        "on_axis_spl_db": _floats(spl_db(axis)),
        "polar": polar,
        "directivity_index_db": _floats(directivity_index(axis, list(polar_pressure.values()), angles)),
        "beamwidth_6db_deg": beamwidth,
        "throat_impedance": {"real": _floats(impedance.real), "imag": _floats(impedance.imag)},
        "metadata": metadata,
    }
