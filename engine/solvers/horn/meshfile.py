"""A user's own gmsh mesh (``[mesh] file``): reading its tagged triangles and checking it before a job is queued;
and how finely any triangle mesh resolves a wavelength.

meshio and numpy are imported inside the functions that read a file: validation imports this module in the
CLI process, which must stay cheap when no mesh file is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.errors import ConfigError, HornqError
from engine.solvers.horn.checks import get, number, type_name
from engine.solvers.horn.constants import SOURCE


class MeshError(HornqError):
    """A mesh cannot be read, or gmsh failed or produced a surface a BEM solve cannot use."""


def file_mesh_settings(
    section: Mapping[str, Any], size: str | None, epw: float, base_dir: Path, surface: bool = True
) -> dict[str, Any]:
    """The normalised ``[mesh]`` table of a job that solves the user's mesh; its path made absolute. A
    ``surface`` mesh's triangles are checked here; a profile (not ``surface``) only for being a gmsh file."""
    file = get(section, "file")
    if file is None:
        raise ConfigError('mesh.file: missing (mesh.size = "file" needs a mesh file)')
    for key in ("throat_size", "mouth_size"):
        if get(section, key) is not None:
            raise ConfigError(f"mesh.{key}: cannot be used with mesh.file (the file is already meshed)")
    if size not in (None, "file"):
        raise ConfigError(f"mesh.size: cannot be {size!r} with mesh.file")
    if not isinstance(file, str) or not file.strip():
        raise ConfigError(f"mesh.file: expected a path string, got {type_name(file)}")
    path = Path(file).expanduser()
    path = (path if path.is_absolute() else Path(base_dir) / path).resolve()
    scale = number(section, "scale", "mesh", 0.001, low=0.0, high=1000.0, low_open=True)
    if not surface:
        check_gmsh_file(path, "mesh.file")
        return _settings(path, scale, epw)
    tags = tags_present(path, where="mesh.file")
    if SOURCE not in tags:
        found = ", ".join(str(t) for t in sorted(tags)) or "none"
        raise ConfigError(
            f"mesh.file: {path} has no triangles with physical tag {SOURCE} (source); tags found: {found}"
        )
    return _settings(path, scale, epw)


def _settings(path: Path, scale: float, epw: float) -> dict[str, Any]:
    return {
        "size": "file",
        "elements_per_wavelength": epw,
        "throat_size": None,
        "mouth_size": None,
        "file": str(path),
        "scale": scale,
    }


def tags_present(path: Path, where: str = "mesh.file") -> set[int]:
    """Physical tags carried by the triangles of a user's .msh; ConfigError when it is unusable.

    Cheap enough for validation: a header check first, then meshio (no gmsh, no bempp).
    """
    path = Path(path)
    check_gmsh_file(path, where)
    try:
        _, triangles, tags = read_triangles(path)
    except MeshError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    if len(triangles) == 0:
        raise ConfigError(f"{where}: {path} has no triangles")
    return {int(t) for t in set(tags.tolist())}


def check_gmsh_file(path: Path, where: str) -> None:
    """Refuse a missing file or one that is not a gmsh mesh, before a reader fails on it less clearly."""
    if not path.is_file():
        raise ConfigError(f"{where}: {path} does not exist")
    with path.open("rb") as handle:
        head = handle.read(11)
    if head != b"$MeshFormat":
        raise ConfigError(f"{where}: {path} is not a gmsh .msh file (it does not start with $MeshFormat)")


def read_triangles(path: Path) -> tuple[Any, Any, Any]:
    """Points, 0-based triangles and their physical tags (0 when untagged) from any gmsh .msh."""
    return read_cells(path, "triangle")


def read_cells(path: Path, cell_type: str) -> tuple[Any, Any, Any]:
    """Points, 0-based cells of one type ("triangle", "line") and their physical tags (0 when untagged)."""
    import meshio
    import numpy as np

    try:
        mesh = meshio.read(path, file_format="gmsh")
    except Exception as exc:  # meshio raises many types for malformed files
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise MeshError(f"{path} cannot be read as a gmsh mesh ({reason})") from None
    width = {"triangle": 3, "line": 2}[cell_type]
    blocks, tags = [], []
    physical = mesh.cell_data.get("gmsh:physical")
    for i, cells in enumerate(mesh.cells):
        if cells.type != cell_type:
            continue
        blocks.append(np.asarray(cells.data, dtype=np.int64))
        block_tags = physical[i] if physical is not None else np.zeros(len(cells.data))
        tags.append(np.asarray(block_tags, dtype=np.int64))
    if not blocks:
        return (
            np.asarray(mesh.points, dtype=float),
            np.zeros((0, width), dtype=np.int64),
            np.zeros(0, dtype=np.int64),
        )
    return np.asarray(mesh.points, dtype=float), np.concatenate(blocks), np.concatenate(tags)


def surface_edges(points: Any, triangles: Any) -> tuple[Any, Any]:
    """The length of each edge of a triangle surface, counted once, and how many triangles share it."""
    import numpy as np

    triangles = np.asarray(triangles)
    edges = np.sort(np.concatenate([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [2, 0]]]), axis=1)
    unique, counts = np.unique(edges, axis=0, return_counts=True)
    return np.linalg.norm(points[unique[:, 0]] - points[unique[:, 1]], axis=1), counts


def resolution_size(lengths: Any) -> float:
    """The element size a mesh's resolution is measured by: the quadratic mean of its edge lengths.

    Not the longest edge: gmsh's longest are about 1.35 times the size it was asked for, a few outliers that say
    little about accuracy. Measured on 3-D horns (a 60 mm OS-SE at 10, 16 and 20 kHz, an 80 mm R-OSSE at 16 kHz,
    the 110 mm OS-SE with 4/10 mm sizes at 7.6 kHz), 6 elements per wavelength by this size keeps the polars
    within 0.44 dB of a mesh 1.5 times finer over 0–90° (behind the horn, 30–45 dB down, within 1.6 dB).
    """
    import numpy as np

    return float(np.sqrt(np.mean(np.square(lengths))))
