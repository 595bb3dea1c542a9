"""The normalised polar map (sonogram) of one plane: log frequency across, angle off axis up, the level relative
to the results' normalisation angle in colour, with contour lines every 3 dB and the −6 dB contour emphasised.

The levels are the app's: SPL minus the level at the normalisation angle (interpolated between polar angles,
the angle clamped to those solved), then resampled linearly in log frequency and in angle onto a fine grid, so
the colours and the contour lines follow the same surface the app's map draws.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.colors import BoundaryNorm
from matplotlib.patheffects import Normal, Stroke
from matplotlib.ticker import MultipleLocator

from engine.solvers.horn.post import normalized_polar
from engine.solvers.horn.report.lines import frequency_axis

PLANE_TITLES = {"horizontal": "Horizontal", "vertical": "Vertical"}
#: The colour scale: 3 dB bands from 0 down to −30 dB, the same bands as the app's map; levels above 0 dB (off
#: axis louder than the reference) and below −30 dB take the scale's end colours, marked by the colour bar's arrows.
BAND_DB = 3.0
FLOOR_DB = -30.0
BOUNDARIES = np.arange(FLOOR_DB, BAND_DB / 2, BAND_DB)
#: Contour lines on every band edge below 0 dB; the −6 dB one (the beamwidth) drawn bold.
CONTOUR_LEVELS = tuple(float(level) for level in BOUNDARIES[:-1])
EMPHASIS_DB = -6.0
#: Thin contour lines are drawn black over the light upper half of the scale and white over the dark lower half.
DARK_BELOW_DB = -15.0
#: A perceptually uniform scale (lightness rises steadily from −30 to 0 dB), readable in grey and by viewers
#: with the common colour-vision deficiencies.
COLORMAP = "magma"
#: Fine grid the map is drawn on: columns evenly spaced in log frequency, rows every half degree.
COLUMNS = 600
ROW_STEP_DEG = 0.5


@dataclass(frozen=True)
class PolarGrid:
    """One plane of one job on the drawing grid: ``levels[row, column]`` (dB re ``normalize_deg``) at
    ``angles[row]`` (ascending) and ``frequencies[column]`` (ascending, evenly spaced in log frequency)."""

    frequencies: np.ndarray
    angles: np.ndarray
    levels: np.ndarray
    normalize_deg: float


def polar_grid(results: Mapping[str, Any], plane: str) -> PolarGrid | None:
    """The normalised polar of ``plane`` on the drawing grid, or None when the results lack it, it is malformed
    or holds fewer than two frequencies (a map needs a span)."""
    found = _normalized(results, plane)
    if found is None:
        return None
    frequencies, angles, levels, reference = found
    if frequencies.size < 2 or angles.size < 2:
        return None
    rows = round((angles[-1] - angles[0]) / ROW_STEP_DEG) + 1
    log_f = np.log10(frequencies)
    grid_f = np.linspace(log_f[0], log_f[-1], COLUMNS)
    grid_a = np.linspace(angles[0], angles[-1], rows)
    by_frequency = np.array([np.interp(grid_f, log_f, levels[:, a]) for a in range(angles.size)])
    grid = np.array([np.interp(grid_a, angles, by_frequency[:, c]) for c in range(COLUMNS)]).T
    return PolarGrid(10.0**grid_f, grid_a, grid, reference)


def _normalized(results: Mapping[str, Any], plane: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, float] | None:
    """Frequencies and angles (both ascending, frequencies > 0) and the normalised levels (frequencies × angles)."""
    polar = results.get("polar")
    plane_data = polar.get(plane) if isinstance(polar, Mapping) else None
    observation = results.get("observation")
    try:
        spl = np.asarray(plane_data.get("spl_db"), dtype=np.float64)  # type: ignore[union-attr]
        frequencies = np.asarray(results.get("frequencies_hz"), dtype=np.float64)
        angles = np.asarray(observation.get("angles_deg"), dtype=np.float64)  # type: ignore[union-attr]
    except (AttributeError, TypeError, ValueError):
        return None
    if spl.ndim != 2 or frequencies.ndim != 1 or spl.shape != (frequencies.size, angles.size) or angles.size == 0:
        return None
    keep = frequencies > 0
    frequencies, spl = frequencies[keep], spl[keep]
    by_frequency, by_angle = np.argsort(frequencies, kind="stable"), np.argsort(angles, kind="stable")
    frequencies, angles, spl = frequencies[by_frequency], angles[by_angle], spl[by_frequency][:, by_angle]
    metadata = results.get("metadata")
    asked = metadata.get("normalize_angle_deg", 0.0) if isinstance(metadata, Mapping) else 0.0
    asked = float(asked) if isinstance(asked, int | float) else 0.0
    reference = min(max(asked, float(angles[0])), float(angles[-1]))
    with np.errstate(invalid="ignore"):
        return frequencies, angles, normalized_polar(spl, angles, reference), reference


def norm() -> BoundaryNorm:
    return BoundaryNorm(BOUNDARIES, colormaps[COLORMAP].N, extend="both")


def draw_polar(ax: Axes, grid: PolarGrid, f_range: tuple[float, float]) -> QuadMesh:
    """The map, its contour lines and axes; returns the coloured mesh (for the colour bar). Rasterised in vector
    output: a fine grid as vector cells would be megabytes that every viewer draws with seams."""
    mesh = ax.pcolormesh(
        grid.frequencies, grid.angles, grid.levels, cmap=COLORMAP, norm=norm(), shading="nearest", rasterized=True
    )
    thin = [level for level in CONTOUR_LEVELS if level != EMPHASIS_DB]
    colors = ["black" if level > DARK_BELOW_DB else "white" for level in thin]
    lines = {"linestyles": "solid"}
    ax.contour(grid.frequencies, grid.angles, grid.levels, levels=thin, colors=colors, linewidths=0.6, **lines)
    bold = ax.contour(
        grid.frequencies, grid.angles, grid.levels, levels=[EMPHASIS_DB], colors="white", linewidths=2.2, **lines
    )
    bold.set_path_effects([Stroke(linewidth=4.0, foreground="black"), Normal()])
    frequency_axis(ax, f_range)
    ax.set_ylim(grid.angles[0], grid.angles[-1])
    span = grid.angles[-1] - grid.angles[0]
    ax.yaxis.set_major_locator(MultipleLocator(30.0 if span > 90 else 15.0))
    ax.set_ylabel("Angle off axis (°)")
    return mesh


def no_map(ax: Axes, results: Mapping[str, Any], plane: str) -> None:
    """An empty panel saying why there is no map where one would be."""
    polar = results.get("polar")
    solved = isinstance(polar, Mapping) and plane in polar
    why = "needs at least two frequencies" if solved else "is not in these results"
    ax.set_axis_off()
    ax.text(0.5, 0.5, f"The {plane} polar map {why}", transform=ax.transAxes, ha="center", va="center", style="italic")
