"""Measured responses as a document shaped like a horn job's results, so a measurement and a simulation are read,
charted and measured alike (same keys, same phase convention, same DI and beamwidth definitions).

One file is the on-axis response. Several files are a polar set, each at the plane and angle its name gives
(``files``). The positive side of each plane is used: a negative angle stands in for its mirror image when the
positive one was not measured, and is left out otherwise. The 0° file is the axis of both planes. Only angles
measured in every plane are kept, since the document has one list of angles. Files on different frequency grids
are resampled onto the on-axis file's frequencies over the range all files share, linear in log frequency, the
phase unwrapped first; a grid denser than ``MAX_POINTS_PER_OCTAVE`` is thinned to a log grid of that density.

Beamwidth needs 0° and at least two more angles, no gap wider than ``MAX_STEP_DEG`` (the −6 dB crossing is
interpolated between angles; wider gaps put it anywhere in between). The directivity index needs those angles to
reach 180° as well: it is a mean over the whole sphere, and over part of it would not compare with a simulation's.
Every such decision is listed in ``metadata`` (machine-readable) and ``metadata.notes`` (one line each).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from engine.solvers.horn.constants import HORIZONTAL, PLANES
from engine.solvers.horn.measurement.files import MeasuredFile, collect, polar_angle
from engine.solvers.horn.measurement.frd import MeasurementError, Response, read
from engine.solvers.horn.post import P_REF, TIME_CONVENTION, beamwidth_6db, directivity_index

MAX_POINTS_PER_OCTAVE = 96
MAX_STEP_DEG = 15.0
PHASE_CONVENTION = "degrees, arg p under exp(-i omega t): the files' exp(+j omega t) phase negated"


def wrap_deg(phase: np.ndarray) -> np.ndarray:
    """Degrees folded into (−180, 180], as the solver's phases are."""
    return 180.0 - np.mod(180.0 - phase, 360.0)


def on_grid(response: Response, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """SPL and results-convention phase at ``grid``, linear in log frequency (phase unwrapped, then negated)."""
    x, at = np.log(response.frequencies), np.log(grid)
    spl = np.interp(at, x, response.spl)
    if response.phase is None:
        return spl, None
    unwrapped = np.degrees(np.unwrap(np.radians(response.phase)))
    return spl, wrap_deg(-np.interp(at, x, unwrapped))


def common_grid(responses: Sequence[Response], reference: Response) -> tuple[np.ndarray, str]:
    """The frequencies every response is brought to, and how they were chosen."""
    low = max(r.frequencies[0] for r in responses)
    high = min(r.frequencies[-1] for r in responses)
    if high <= low:
        raise MeasurementError("the files share no frequency range")
    own = np.asarray(reference.frequencies)
    grid = own[(own >= low * (1 - 1e-9)) & (own <= high * (1 + 1e-9))]
    most = MAX_POINTS_PER_OCTAVE * math.log2(high / low) + 1
    if 2 <= len(grid) <= most:
        return grid, f"the on-axis file's frequencies from {low:g} to {high:g} Hz"
    grid = np.geomspace(low, high, math.ceil(most))
    return grid, f"{len(grid)} log-spaced frequencies ({MAX_POINTS_PER_OCTAVE} per octave) from {low:g} to {high:g} Hz"


def _same_grid(response: Response, grid: np.ndarray) -> bool:
    own = np.asarray(response.frequencies)
    return own.shape == grid.shape and bool(np.allclose(own, grid, rtol=1e-9, atol=0.0))


def _nothing_decided() -> dict[str, Any]:
    """Files without a plane taken as horizontal, and per plane the angles mirrored, left out as negatives, or
    left out as missing from another plane."""
    return {"assumed_horizontal": [], "mirrored": {}, "ignored_negative": {}, "not_common": {}}


def arrange(found: Sequence[MeasuredFile]) -> tuple[MeasuredFile, dict[str, dict[float, MeasuredFile]], dict]:
    """The on-axis file, each plane's file per angle (0…180°, common to every plane), and what was decided."""
    raw: dict[str, dict[float, MeasuredFile]] = {plane: {} for plane in PLANES}
    shared_axis: MeasuredFile | None = None
    decided = _nothing_decided()
    for file in found:
        angle, plane = polar_angle(file), file.plane
        if plane is None and angle == 0:
            if shared_axis is not None:
                raise MeasurementError(f"{shared_axis.shown} and {file.shown} are both the on-axis response")
            shared_axis = file
            continue
        if plane is None:
            plane = HORIZONTAL
            decided["assumed_horizontal"].append(file.shown)
        if angle in raw[plane]:
            raise MeasurementError(f"{raw[plane][angle].shown} and {file.shown} are both {plane} {angle:g}°")
        raw[plane][angle] = file
    sides = {plane: _positive_side(plane, by_angle, decided) for plane, by_angle in raw.items()}
    axis = sides[PLANES[0]].get(0.0) or sides[PLANES[1]].get(0.0) or shared_axis
    if axis is None:
        raise MeasurementError("no on-axis (0°) response among the files; name it like 'name 0.frd'")
    present = {plane: side for plane, side in sides.items() if any(angle > 0 for angle in side)}
    for side in present.values():
        side.setdefault(0.0, axis)
    common = set.intersection(*(set(side) for side in present.values())) if present else set()
    for plane, side in present.items():
        if extra := sorted(set(side) - common):
            decided["not_common"][plane] = extra
    polar = {plane: {angle: side[angle] for angle in sorted(common)} for plane, side in present.items()}
    return axis, polar, decided


def _positive_side(plane: str, by_angle: dict[float, MeasuredFile], decided: dict) -> dict[float, MeasuredFile]:
    side = {angle: file for angle, file in by_angle.items() if angle >= 0}
    for angle in sorted((a for a in by_angle if a < 0), reverse=True):
        if -angle in side:
            decided["ignored_negative"].setdefault(plane, []).append(angle)
        else:
            side[-angle] = by_angle[angle]
            decided["mirrored"].setdefault(plane, []).append(-angle)
    return side


def enough_for_beamwidth(angles: Sequence[float]) -> bool:
    steps = np.diff(angles)
    return len(angles) >= 3 and angles[0] == 0 and bool(np.all(steps <= MAX_STEP_DEG))


def enough_for_directivity(angles: Sequence[float]) -> bool:
    return enough_for_beamwidth(angles) and angles[-1] == 180


def _pressure(spl: np.ndarray) -> np.ndarray:
    """The peak amplitude a level stands for (the solver's SPL convention), for the DI's power averages."""
    return 10 ** (np.asarray(spl) / 20) * math.sqrt(2) * P_REF


def _notes(files: int, resampled: dict | None, decided: dict, angles: list[float], planes: list[str]) -> list[str]:
    notes = []
    if not planes:
        notes.append("the on-axis response only, no polars")
    if resampled:
        notes.append(
            f"{len(resampled['files'])} of {files} files resampled onto {resampled['grid']} "
            "(linear in log frequency, phase unwrapped first)"
        )
    if decided["assumed_horizontal"]:
        notes.append(f"{len(decided['assumed_horizontal'])} files without a plane in their names taken as horizontal")
    labels = {
        "mirrored": "mirrored from their negative angles",
        "ignored_negative": "left out (positive side used)",
        "not_common": "left out (not measured in every plane)",
    }
    for key, label in labels.items():
        for plane, found in decided[key].items():
            notes.append(f"{plane} {', '.join(f'{a:g}°' for a in found)}: {label}")
    if planes and not enough_for_beamwidth(angles):
        notes.append(f"no beamwidth: it needs 0° and two more angles, steps of at most {MAX_STEP_DEG:g}°")
    if planes and not enough_for_directivity(angles):
        notes.append(f"no directivity index: it needs angles from 0 to 180° in steps of at most {MAX_STEP_DEG:g}°")
    return notes


def _summary(grid: np.ndarray, angles: list[float], planes: list[str], phases: list[bool]) -> str:
    where = f"{' and '.join(planes)} {angles[0]:g}…{angles[-1]:g}° ({len(angles)} angles)" if planes else "on axis only"
    phase = "with phase" if all(phases) else "no phase" if not any(phases) else "phase in some files"
    return f"{where}, {len(grid)} points {grid[0]:g}–{grid[-1]:g} Hz, {phase}"


def measurement_document(paths: Sequence[Path], distance_m: float | None = None) -> dict[str, Any]:
    """The document of the responses in ``paths`` (files and/or directories); see the module docstring."""
    found = collect(list(paths))
    responses = {file: read(file.path, file.shown) for file in found}
    if len(found) == 1:
        axis, polar_files, decided = found[0], {}, _nothing_decided()
    else:
        axis, polar_files, decided = arrange(found)
    used = list(dict.fromkeys([axis, *(file for by_angle in polar_files.values() for file in by_angle.values())]))
    grid, grid_text = common_grid([responses[file] for file in used], responses[axis])
    on_grid_by_file = {file: on_grid(responses[file], grid) for file in used}
    resampled_files = [file.shown for file in used if not _same_grid(responses[file], grid)]
    resampled = {"grid": grid_text, "files": resampled_files} if resampled_files else None

    planes = list(polar_files)
    angles = sorted(next(iter(polar_files.values()))) if planes else []
    polar, spl_by_plane = {}, {}
    for plane, by_angle in polar_files.items():
        columns = [on_grid_by_file[by_angle[angle]] for angle in angles]
        spl = np.column_stack([spl for spl, _ in columns])
        spl_by_plane[plane] = spl
        phase = [[None if p is None else float(p[i]) for _, p in columns] for i in range(len(grid))]
        polar[plane] = {"spl_db": spl.tolist(), "phase_deg": phase}
    axis_spl = on_grid_by_file[axis][0]
    beamwidth = (
        {plane: beamwidth_6db(spl, angles).tolist() for plane, spl in spl_by_plane.items()}
        if planes and enough_for_beamwidth(angles)
        else {}
    )
    di = None
    if planes and enough_for_directivity(angles):
        pressures = [_pressure(spl) for spl in spl_by_plane.values()]
        di = directivity_index(_pressure(axis_spl), pressures, angles).tolist()
    phases = [responses[file].phase is not None for file in used]
    return {
        "frequencies_hz": grid.tolist(),
        "observation": {"distance_m": distance_m, "angles_deg": angles},
        "on_axis_spl_db": axis_spl.tolist(),
        "polar": polar,
        "directivity_index_db": di,
        "beamwidth_6db_deg": beamwidth,
        "metadata": {
            "source": "measurement",
            "summary": _summary(grid, angles, planes, phases),
            "files": [
                {
                    "file": file.shown,
                    "plane": file.plane,
                    "angle_deg": file.angle,
                    "points": len(responses[file].frequencies),
                    "phase": responses[file].phase is not None,
                }
                for file in found
            ],
            "time_convention": TIME_CONVENTION,
            "phase_convention": PHASE_CONVENTION,
            "spl_reference": "as measured: the files' own level reference and distance",
            "normalize_angle_deg": 0.0,
            "resampled": resampled,
            "angles": decided,
            "notes": _notes(len(used), resampled, decided, angles, planes),
        },
    }
