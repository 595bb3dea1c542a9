"""Mesh element sizes for a generated horn: from the wavelength, and within what a dense BEM solve can hold; and
the triangles and resolution gmsh will make of them.

Pure Python estimates made during validation and by the band planner and the estimate, before anything is meshed.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import ConfigError
from engine.solvers.horn import profiles
from engine.solvers.horn.checks import get, number
from engine.solvers.horn.config import HornGeometry
from engine.solvers.horn.spec import CHECK_AZIMUTHS, REQUIRED
from engine.solvers.horn.symmetry import HALF, NONE, PARTS, QUARTER

#: Dense Burton–Miller operators take 16 bytes per P1 dof pair, about three of them at once; a body
#: has about half as many nodes as triangles. A half or quarter model's operators pair the part's dofs with the
#: whole body's (``engine.solvers.horn.symmetry``), so the same memory holds a body √2 or 2 times as large.
MAX_TRIANGLES = 30_000
OPERATOR_BYTES = 16 * 3
#: gmsh's triangles have the area of an equilateral one of the requested size, and every curve it meshes first
#: adds about 1.5 per element along it: the circles where two surfaces meet, and the meridians (a whole body's
#: surfaces are closed along one seam; a half is cut along two half-planes, a quarter along four). Fitted to
#: gmsh's counts of 235 meshes (R-OSSE and OS-SE, whole, half and quarter, 330 to 27,000 triangles): from −12 %
#: to +7 %, all but two within 10 % and nine in ten within 5 %.
TRIANGLE_AREA_FACTOR = math.sqrt(3) / 4
CIRCLE_ROWS = 1.5
SEAM_ROWS = 1.5
SEAMS = {NONE: 1, HALF: 2, QUARTER: 4}
#: The quadratic mean edge of those triangles over an equilateral one's of their mean area (fitted, same meshes):
#: they are not all equilateral.
RMS_EDGE_FACTOR = 1.015
#: Azimuths and profile points at which a non-round horn's outline is sampled to count its triangles.
COUNT_AZIMUTHS = 8
COUNT_POINTS = 48


def generated_mesh_settings(
    section: Mapping[str, Any],
    size: str | None,
    epw: float,
    horn: Mapping[str, Any] | None,
    f_max: float,
    c: float,
) -> dict[str, Any]:
    """The normalised ``[mesh]`` table of a mesh generated from the profile: "auto" or "manual" sizes."""
    if get(section, "scale") is not None:
        raise ConfigError("mesh.scale: only applies to mesh.file (horn parameters are in mm)")
    if horn is None:
        raise ConfigError("horn: missing [horn] section needed to generate a mesh")
    throat, mouth = get(section, "throat_size"), get(section, "mouth_size")
    throat_size, mouth_size = auto_sizes(horn, f_max, c, epw)
    if size == "auto" and (throat, mouth) != (None, None):
        # A normalised config carries the sizes "auto" chose; only different ones conflict.
        if (throat, mouth) != (throat_size, mouth_size):
            name = "throat_size" if throat is not None else "mouth_size"
            raise ConfigError(f'mesh.{name}: conflicts with mesh.size = "auto"; remove one of them')
    elif throat is not None or mouth is not None or size == "manual":
        size = "manual"
        throat_size = number(section, "throat_size", "mesh", REQUIRED, low=0.1, high=1000.0)
        mouth_size = number(section, "mouth_size", "mesh", REQUIRED, low=0.1, high=1000.0)
    return {
        "size": size or "auto",
        "elements_per_wavelength": epw,
        "throat_size": throat_size,
        "mouth_size": mouth_size,
        "file": None,
        "scale": None,
    }


def estimated_triangles(horn: Mapping[str, Any], throat_size: float, mouth_size: float, symmetry: str = NONE) -> int:
    """The triangles gmsh makes of the generated body, whole or meshed as a ``symmetry`` part and mirrored, within
    about 10 %."""
    return round(_estimate(horn, throat_size, mouth_size, symmetry)[0])


def estimated_resolution(horn: Mapping[str, Any], throat_size: float, mouth_size: float, symmetry: str = NONE) -> float:
    """The generated body's resolution size (mm), the quadratic mean of its edges, within about 5 %: an
    equilateral triangle of the body's mean triangle area, its edge RMS_EDGE_FACTOR longer."""
    triangles, area = _estimate(horn, throat_size, mouth_size, symmetry)
    return RMS_EDGE_FACTOR * math.sqrt(area / (TRIANGLE_AREA_FACTOR * triangles))


def _estimate(horn: Mapping[str, Any], throat_size: float, mouth_size: float, symmetry: str) -> tuple[float, float]:
    """Triangles and area (mm²) of the generated body. Every surface (walls, lip, rear band and disc, throat
    disc) is integrated along its outline at the element size the mesher asks for there: its area over an
    equilateral triangle's, plus the rows gmsh adds along the curves it meshes first."""
    outline = _outline(tuple(sorted(horn.items())))
    lip = lip_size(throat_size, mouth_size, outline.wall)

    def size(point: Sample) -> float:
        return element_size(point, throat_size, mouth_size, lip)

    area = elements = seams = 0.0
    for point in outline.surface:
        h = size(point)
        seams += point.length / h
        area += point.length * point.y
        elements += point.length * point.y / (h * h)
    circles = sum(point.y / size(point) for point in outline.circles)
    triangles = 2 * math.pi * (elements / TRIANGLE_AREA_FACTOR + CIRCLE_ROWS * circles)
    triangles += SEAM_ROWS * SEAMS[symmetry] * seams
    return triangles / outline.azimuths, 2 * math.pi * area / outline.azimuths


def lip_size(throat_size: float, mouth_size: float, wall: float) -> float:
    """Element size (mm) on the mouth lip: no coarser than the mouth's and no finer than the throat's, about
    three across the wall."""
    return min(mouth_size, max(3 * wall, throat_size))


@dataclass(frozen=True)
class Sample:
    """A point of the body's outline: radius y (mm), the outline length it stands for, its distance from the throat
    centre as a share of the mouth's, and how far (mm) beyond a wall thickness from the mouth rim it lies."""

    y: float
    length: float
    centre: float
    rim: float


def element_size(point: Sample, throat_size: float, mouth_size: float, lip: float) -> float:
    """The mesher's element size (mm) at a point: graded with the distance from the throat centre from the throat
    size to the mouth size at the mouth, and the lip size within a wall thickness of the mouth rim, growing back to
    the mouth size over one mouth size."""
    graded = throat_size + (mouth_size - throat_size) * min(1.0, point.centre)
    near_rim = lip + (mouth_size - lip) * min(1.0, max(0.0, point.rim / mouth_size))
    return min(graded, near_rim)


@dataclass(frozen=True)
class Outline:
    """The body's outlines at ``azimuths`` azimuths, each from the throat centre along the inner wall, over the lip,
    back along the outer shell and over the rear to the axis: samples of its surfaces and of the circles where
    they meet."""

    azimuths: int
    wall: float
    surface: tuple[Sample, ...]
    circles: tuple[Sample, ...]


@functools.lru_cache(maxsize=8)
def _outline(horn: tuple[tuple[str, Any], ...]) -> Outline:
    """Sampled once per horn: a band plan counts the same horn at many sizes."""
    geometry = HornGeometry.from_horn(dict(horn))
    wall = geometry.wall_thickness
    count = 1 if geometry.axisymmetric else COUNT_AZIMUTHS
    inners = [geometry.profile(2 * math.pi * i / count, COUNT_POINTS) for i in range(count)]
    mouth = min(math.hypot(*inner[-1]) for inner in inners)
    surface: list[Sample] = []
    circles: list[Sample] = []
    for inner in inners:
        outer = profiles.offset_profile(inner, wall)
        back = (-wall, outer[0][1])
        rim = (inner[-1], outer[-1])
        lip, band, rear, throat = (
            _line(*ends)
            for ends in ((inner[-1], outer[-1]), (outer[0], back), (back, (-wall, 0.0)), ((0.0, 0.0), inner[0]))
        )
        for piece in (inner, outer, lip, band, rear, throat):
            for a, b in itertools.pairwise(piece):
                middle = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
                surface.append(_sample(middle, math.dist(a, b), rim, mouth, wall))
        circles += [_sample(point, 0.0, rim, mouth, wall) for point in (inner[0], inner[-1], outer[-1], outer[0], back)]
    return Outline(count, wall, tuple(surface), tuple(circles))


def _sample(point: profiles.Point, length: float, rim: tuple[profiles.Point, ...], mouth: float, wall: float) -> Sample:
    beyond = min(math.dist(point, edge) for edge in rim) - wall
    return Sample(point[1], length, math.hypot(*point) / mouth, beyond)


def _line(a: profiles.Point, b: profiles.Point) -> list[profiles.Point]:
    steps = COUNT_POINTS // 4
    return [(a[0] + (b[0] - a[0]) * i / steps, a[1] + (b[1] - a[1]) * i / steps) for i in range(steps + 1)]


def check_mesh_budget(horn: Mapping[str, Any], throat_size: float, mouth_size: float, symmetry: str) -> None:
    """Refuse meshes whose dense BEM operators could not fit in memory, before anything is queued."""
    estimate = estimated_triangles(horn, throat_size, mouth_size, symmetry)
    parts = PARTS[symmetry]
    limit = round(MAX_TRIANGLES * math.sqrt(parts))
    if estimate > limit:
        gigabytes = OPERATOR_BYTES * (estimate / 2) ** 2 / parts / 1e9
        model = f" as a {symmetry} model" if parts > 1 else ""
        raise ConfigError(
            f"mesh: about {estimate:,} triangles with throat_size {throat_size:g} mm and mouth_size "
            f"{mouth_size:g} mm; the limit{model} is {limit:,} (the dense operators would need about "
            f"{gigabytes:.0f} GB): use larger elements or a lower sweep.f_max"
        )


def auto_sizes(horn: Mapping[str, Any], f_max: float, c: float, epw: float) -> tuple[float, float]:
    """Element sizes (mm) at throat and mouth: h ≤ c/(epw·f_max), and never so coarse that the
    mouth circle gets fewer than 24 elements or the throat circle fewer than 12."""
    geometry = HornGeometry.from_horn(horn)
    count = 1 if geometry.axisymmetric else CHECK_AZIMUTHS
    mouth_radius = min(geometry.profile(2 * math.pi * i / count, 2)[-1][1] for i in range(count))
    r0 = float(horn["r0"])
    wavelength_size = 1000.0 * c / (epw * f_max)
    mouth = min(wavelength_size, 2 * math.pi * mouth_radius / 24)
    throat = min(mouth, 2 * math.pi * r0 / 12)
    return round(throat, 3), round(mouth, 3)
