"""Mesh element sizes for a generated horn: from the wavelength, and within what a dense BEM solve can hold.

Pure Python estimates made during validation, before anything is queued.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

from engine.errors import ConfigError
from engine.solvers.horn.checks import get, number
from engine.solvers.horn.config import HornGeometry
from engine.solvers.horn.spec import CHECK_AZIMUTHS, REQUIRED

#: Dense Burton–Miller operators take 16 bytes per P1 dof pair, about three of them at once; a body
#: has about half as many nodes as triangles.
MAX_TRIANGLES = 30_000
OPERATOR_BYTES = 16 * 3
TRIANGLE_AREA_FACTOR = math.sqrt(3) / 4


def generated_mesh_settings(
    section: Mapping[str, Any],
    size: str | None,
    epw: float,
    horn: Mapping[str, Any] | None,
    f_max: float,
    c: float,
    surface: bool = True,
) -> dict[str, Any]:
    """The normalised ``[mesh]`` table of a mesh generated from the profile: "auto" or "manual" sizes.

    Only a ``surface`` mesh (the 3-D method's) is held to the dense-operator budget: an axisymmetric outline of
    the same sizes has a few hundred elements."""
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
    if surface:
        check_mesh_budget(horn, throat_size, mouth_size)
    return {
        "size": size or "auto",
        "elements_per_wavelength": epw,
        "throat_size": throat_size,
        "mouth_size": mouth_size,
        "file": None,
        "scale": None,
    }


def estimated_triangles(horn: Mapping[str, Any], throat_size: float, mouth_size: float) -> int:
    """Rough triangle count of the generated body: inner and outer wall area over the local element area.

    The element size grows linearly along the profile from throat to mouth, as the mesher grades it.
    """
    geometry = HornGeometry.from_horn(horn)
    azimuths = 1 if geometry.axisymmetric else 8
    total = 0.0
    for i in range(azimuths):
        points = geometry.profile(2 * math.pi * i / azimuths, 64)
        lengths = [math.dist(a, b) for a, b in itertools.pairwise(points)]
        run = sum(lengths) or 1.0
        along = 0.0
        for (a, b), ds in zip(itertools.pairwise(points), lengths, strict=True):
            along += ds
            h = throat_size + (mouth_size - throat_size) * (along - ds / 2) / run
            total += 2 * math.pi * (a[1] + b[1]) / 2 * ds / (TRIANGLE_AREA_FACTOR * h * h)
    return int(2 * total / azimuths)


def check_mesh_budget(horn: Mapping[str, Any], throat_size: float, mouth_size: float) -> None:
    """Refuse meshes whose dense BEM operators could not fit in memory, before anything is queued."""
    estimate = estimated_triangles(horn, throat_size, mouth_size)
    if estimate > MAX_TRIANGLES:
        gigabytes = OPERATOR_BYTES * (estimate / 2) ** 2 / 1e9
        raise ConfigError(
            f"mesh: about {estimate:,} triangles with throat_size {throat_size:g} mm and mouth_size "
            f"{mouth_size:g} mm; the limit is {MAX_TRIANGLES:,} (the dense operators would need about "
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
