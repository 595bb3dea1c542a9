"""Frequency bands: each part of a sweep is solved on the coarsest generated mesh that still resolves it.

Dense BEM cost grows as N², and N as f² for a surface meshed at fixed elements per wavelength, so a sweep
solved entirely on the mesh its top frequency needs spends nearly all its time on frequencies that a much
coarser mesh would serve. A band is a run of adjacent frequencies sharing one mesh, sized for the band's top
frequency. Pure Python, so a plan can be made and shown without the mesher or the solver.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.solvers.horn.sizing import auto_sizes, estimated_triangles
from engine.solvers.horn.symmetry import NONE

if TYPE_CHECKING:
    from engine.solvers.horn.config import HornConfig

#: Sets how many bands a sweep gets: as many as it takes for no frequency to be solved on a mesh with more
#: than this factor of the triangles its own mesh would have (at most 2× its own N² cost), the bands grown
#: from the top frequency down. The 1.5× element size of half-octave bands would be 2.25× in triangles and
#: leave the upper-mid frequencies, which dominate a log sweep's time, on the top mesh.
BAND_TRIANGLE_RATIO = math.sqrt(2)
#: Few enough distinct meshes to generate, store and report.
MAX_BANDS = 6
SIZE_MODES = ("auto", "manual")
#: Elements around the throat circle in every band, finer than ``auto_sizes``' 12: the driven disc's polygon
#: area sets the level, and 12 sides lose 4.5 % of it (a 0.4 dB step between bands) where 20 lose 1.6 %.
#: The throat is small, so this costs few triangles.
THROAT_ELEMENTS = 20


@dataclass(frozen=True)
class Band:
    """Adjacent sweep frequencies (Hz, in sweep order) solved on one generated mesh (element sizes in mm)."""

    index: int
    f_low: float
    f_high: float
    frequencies: tuple[float, ...]
    throat_size: float
    mouth_size: float
    estimated_triangles: int


def plan_bands(
    frequencies: Sequence[float],
    horn: Mapping[str, Any],
    *,
    throat_size: float,
    mouth_size: float,
    epw: float,
    c: float,
    size_mode: str,
    symmetry: str = NONE,
) -> list[Band]:
    """Bands for a generated mesh, lowest first, from the configured (finest) sizes of the ``[mesh]`` table;
    triangles as gmsh makes them for the ``symmetry`` model.

    Sizes at a frequency f, never finer than configured:

    - "auto": ``auto_sizes(horn, f, c, epw)``, exactly the mesh ``size = "auto"`` makes for a sweep ending at
      f. Its geometry caps bound every band: at least 24 elements around the narrowest mouth circle (the
      polygon's area within 1.2 % of the circle's, its edge within 0.9 % of the radius) and 12 around the
      throat, the driven disc. No separate cap along the axis is needed: the wall runs at least R − r0 from
      throat to mouth, so even a mouth-size element leaves about four along it, and the mesher grades down
      towards the throat from there.
    - "manual": the configured sizes scaled by f_max/f (the configured mesh's own resolution, moved down to
      f), but no coarser than the auto sizes at f. A configured mesh finer than ``epw`` needs keeps its
      finer resolution; a coarser one (e.g. sized for the middle of the sweep) is coarsened only as far as
      ``epw`` allows, so a band never resolves its top frequency worse than ``epw`` unless it is the
      configured mesh itself.

    Grouping, deterministic: frequencies are taken from the top down, and adjacent ones with the same sizes
    (e.g. all those below where the geometry caps bind) always share a band. The number of bands is the fewest
    for which no frequency's own mesh has fewer than 1/BAND_TRIANGLE_RATIO of its band's triangles (bands grown
    greedily from the top), at most MAX_BANDS; the boundaries of that many bands are then placed to minimise
    the estimated dense work Σ n·N² exactly (dynamic programming), so no plan with that many bands costs
    less. Each band's mesh is sized for its top frequency.
    """
    if size_mode not in SIZE_MODES:
        raise ValueError(f"size_mode must be one of {SIZE_MODES} to plan bands, got {size_mode!r}")
    f_max = max(frequencies)
    runs: list[tuple[tuple[float, float], list[int]]] = []
    for i in sorted(range(len(frequencies)), key=lambda i: -frequencies[i]):
        throat, mouth = auto_sizes(horn, frequencies[i], c, epw)
        if size_mode == "manual":
            throat = min(throat, throat_size * f_max / frequencies[i])
            mouth = min(mouth, mouth_size * f_max / frequencies[i])
        throat = min(throat, 2 * math.pi * float(horn["r0"]) / THROAT_ELEMENTS)
        sizes = max(throat, throat_size), max(mouth, mouth_size)
        if runs and runs[-1][0] == sizes:
            runs[-1][1].append(i)
        else:
            runs.append((sizes, [i]))
    triangles = [estimated_triangles(horn, *sizes, symmetry) for sizes, _ in runs]
    starts = _cheapest_split([len(members) for _, members in runs], triangles, _band_count(triangles))
    bands = []
    for index, (start, end) in enumerate(reversed(list(itertools.pairwise([*starts, len(runs)])))):
        members = sorted(i for _, run in runs[start:end] for i in run)
        bands.append(_band(index, [frequencies[i] for i in members], *runs[start][0], triangles[start]))
    return bands


def single_band(
    frequencies: Sequence[float], throat_size: float, mouth_size: float, horn: Mapping[str, Any], symmetry: str = NONE
) -> list[Band]:
    """The whole sweep on the configured mesh: the unbanded solve."""
    triangles = estimated_triangles(horn, throat_size, mouth_size, symmetry)
    return [_band(0, list(frequencies), throat_size, mouth_size, triangles)]


def sweep_plan(cfg: HornConfig, horn: Mapping[str, Any] | None, frequencies: Sequence[float]) -> list[Band]:
    """The bands a 3-D job solves: one for a user's mesh or ``banded = false``, else as few as keep each one
    resolved (``plan_bands``)."""
    mesh = cfg.mesh
    if mesh.file is not None or horn is None:
        return [Band(0, min(frequencies), max(frequencies), tuple(frequencies), None, None, 0)]
    symmetry = cfg.solver.symmetry
    if not mesh.banded:
        return single_band(frequencies, mesh.throat_size, mesh.mouth_size, horn, symmetry)
    return plan_bands(
        frequencies,
        horn,
        throat_size=mesh.throat_size,
        mouth_size=mesh.mouth_size,
        epw=mesh.elements_per_wavelength,
        c=cfg.medium.c,
        size_mode=mesh.size,
        symmetry=symmetry,
    )


def dense_cost(bands: Sequence[Band]) -> float:
    """Relative dense-solve work of a plan, Σ frequencies · N² (N the estimated triangles), to compare plans."""
    return float(sum(len(band.frequencies) * band.estimated_triangles**2 for band in bands))


def _band_count(triangles: Sequence[int]) -> int:
    """Fewest bands, grown from the top, in which no run has fewer than 1/BAND_TRIANGLE_RATIO of its band's
    triangles; at most MAX_BANDS."""
    count, top = 1, triangles[0]
    for n in triangles:
        if top > BAND_TRIANGLE_RATIO * n:
            count, top = count + 1, n
    return min(count, MAX_BANDS)


def _cheapest_split(counts: Sequence[int], triangles: Sequence[int], bands: int) -> list[int]:
    """First run of each of ``bands`` groups of adjacent runs (top frequency first) minimising Σ count·N², N of
    the group's first run; ties go to the earlier boundary."""
    runs = len(counts)
    below = list(itertools.accumulate(counts[::-1], initial=0))[::-1]  # frequencies in runs[i:]
    # work[b][i]: least work for runs[i:] in b groups; first[b][i]: where the second of them starts.
    work = [[math.inf] * (runs + 1) for _ in range(bands + 1)]
    first = [[runs] * (runs + 1) for _ in range(bands + 1)]
    work[0][runs] = 0.0
    for b in range(1, bands + 1):
        for i in range(runs):
            for j in range(i + 1, runs + 1):
                candidate = (below[i] - below[j]) * triangles[i] ** 2 + work[b - 1][j]
                if candidate < work[b][i]:
                    work[b][i], first[b][i] = candidate, j
    starts, i = [], 0
    for b in range(bands, 0, -1):
        starts.append(i)
        i = first[b][i]
    return starts


def _band(index: int, frequencies: list[float], throat: float, mouth: float, triangles: int) -> Band:
    return Band(index, min(frequencies), max(frequencies), tuple(frequencies), throat, mouth, triangles)
