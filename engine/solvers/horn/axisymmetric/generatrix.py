"""The outline of a closed body of revolution in the r–z half-plane: straight elements, each with a tag.

Axis z as in the 3-D meshes, r ≥ 0 the distance from it, lengths in metres. The elements form one chain from
the axis back to the axis; rotated about z they sweep the closed surface (cones, cylinders, discs), and the
axis itself is no surface. The chain runs so that each element's outward normal (into the air) is
n = (−t_z, t_r), t its unit direction: clockwise when r is drawn to the right and z upwards.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.solvers.horn import profiles
from engine.solvers.horn.config import HornConfig, HornGeometry
from engine.solvers.horn.constants import INTERFACE, MIN_ELEMENTS_PER_WAVELENGTH, SECONDARY, SOURCE, TAG_NAMES, WALL
from engine.solvers.horn.meshfile import MeshError, read_cells

MM = 0.001
#: Points sampled along a profile formula: their polyline stays within microns of the curve.
PROFILE_POINTS = 400
#: Sub-steps along each piece over which the element size is integrated to place the nodes.
FINE_STEPS = 4000
#: Largest turn (radians) of the profile along one element: elements follow a tight bend in 15° steps.
MAX_TURN = math.radians(15)
#: The outline's elements per wavelength are this multiple of ``elements_per_wavelength`` (24 at the default 6):
#: piecewise-constant elements converge only as 1/N where the source's velocity jumps, and an outline is cheap.
REFINEMENT = 4
#: Fewest elements along the straight line from throat to mouth, and across the throat radius, at any frequency.
GEOMETRY_ELEMENTS = 16
THROAT_ELEMENTS = 3
#: Longest element relative to the wall's thickness. The inner wall and the outer shell face each other across the
#: wall; with elements several times longer than that gap, constant elements misrepresent how the two sides
#: interact, and the result jumps whenever a side gains or loses an element (at 1 kHz, 10 mm elements on a 3 mm
#: wall moved the on-axis level by 0.7 dB and the beamwidth by 5° when the coverage angle changed by 0.25°).
#: Elements as long as the wall is thick stay within 0.3° of a 12× finer outline and change smoothly.
WALL_ELEMENT_RATIO = 1.0
#: Largest ratio of a band's elements per wavelength to what its lowest frequency needs.
BAND_RATIO = math.sqrt(2)
#: Relative to the profile's extent: how far from the plane y = 0 or the axis a point may lie and count as on it.
AXIS_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Generatrix:
    """Nodes (K×2: r, z), elements (N×2 node indices, each ending where the next starts) and tags (N)."""

    nodes: np.ndarray
    elements: np.ndarray
    tags: np.ndarray

    @classmethod
    def chain(cls, points: np.ndarray, tags: np.ndarray) -> Generatrix:
        """The outline through ``points`` (K×2, axis to axis) with ``tags[i]`` on the element from point i to
        i + 1, turned around if needed so that the normals point outwards."""
        points = np.asarray(points, dtype=np.float64)
        tags = np.asarray(tags, dtype=np.int64)
        if points.ndim != 2 or points.shape[1] != 2 or len(tags) != len(points) - 1:
            raise ValueError("a generatrix needs K×2 points and K − 1 element tags")
        if _clockwise_area(points) < 0:
            points, tags = points[::-1].copy(), tags[::-1].copy()
        elements = np.column_stack([np.arange(len(tags)), np.arange(1, len(tags) + 1)])
        return cls(points, elements, tags)

    @property
    def starts(self) -> np.ndarray:
        return self.nodes[self.elements[:, 0]]

    @property
    def ends(self) -> np.ndarray:
        return self.nodes[self.elements[:, 1]]

    @property
    def lengths(self) -> np.ndarray:
        return np.linalg.norm(self.ends - self.starts, axis=1)

    @property
    def midpoints(self) -> np.ndarray:
        return (self.starts + self.ends) / 2

    @property
    def normals(self) -> np.ndarray:
        """Outward unit normals (n_r, n_z) of the elements."""
        t = (self.ends - self.starts) / self.lengths[:, None]
        return np.column_stack([-t[:, 1], t[:, 0]])

    @property
    def areas(self) -> np.ndarray:
        """Surface area each element sweeps about the axis: 2π r_mid · length for a straight element."""
        return 2 * np.pi * self.midpoints[:, 0] * self.lengths


def _clockwise_area(points: np.ndarray) -> float:
    """Area enclosed by the outline closed along the axis: positive when it runs clockwise (r right, z up)."""
    r, z = points[:, 0], points[:, 1]
    return float(np.sum(r * np.roll(z, -1) - np.roll(r, -1) * z)) / -2


def outline_sizes(cfg: HornConfig, f: float) -> tuple[float, float]:
    """Element sizes (mm) at throat and mouth for solving at ``f``: REFINEMENT × ``elements_per_wavelength`` (at
    least the trusted minimum) per wavelength, the configured sizes where they are finer, and never coarser than
    the geometry needs (GEOMETRY_ELEMENTS along the wall, THROAT_ELEMENTS across the throat, WALL_ELEMENT_RATIO ×
    the wall's thickness)."""
    epw = REFINEMENT * max(cfg.mesh.elements_per_wavelength, MIN_ELEMENTS_PER_WAVELENGTH)
    mouth = 1000.0 * cfg.medium.c / (epw * f)
    if cfg.horn is not None:
        x, r = cfg.horn.profile(0.0, 2)[-1]
        mouth = min(mouth, math.hypot(x, r) / GEOMETRY_ELEMENTS, WALL_ELEMENT_RATIO * cfg.horn.wall_thickness)
        throat = min(mouth, cfg.horn.parameters_at(0.0)["r0"] / THROAT_ELEMENTS)
    else:
        throat = mouth
    if cfg.mesh.size == "manual":
        mouth, throat = min(mouth, cfg.mesh.mouth_size or mouth), min(throat, cfg.mesh.throat_size or throat)
    return min(throat, mouth), mouth


def outline_bands(cfg: HornConfig) -> list[OutlineBand]:
    """The sweep in bands, each solved on the outline its top frequency needs, lowest band first.

    A lower frequency joins a band while the band's elements are at most BAND_RATIO times finer than its own
    would be (N at most that many times larger, the dense work at most its square); once the geometry's sizes
    bind, every lower frequency shares one band. A profile file is one band.
    """
    frequencies = sorted(cfg.sweep.frequencies(), reverse=True)
    if cfg.mesh.file is not None:
        return [OutlineBand(tuple(sorted(frequencies)), None)]
    bands: list[tuple[list[float], tuple[float, float]]] = []
    for f in frequencies:
        sizes = outline_sizes(cfg, f)
        if bands and sizes[1] <= BAND_RATIO * bands[-1][1][1]:
            bands[-1][0].append(f)
        else:
            bands.append(([f], sizes))
    return [OutlineBand(tuple(sorted(members)), sizes) for members, sizes in reversed(bands)]


@dataclass(frozen=True)
class OutlineBand:
    """Sweep frequencies (Hz, ascending) solved on one outline; ``sizes`` (throat, mouth) in mm, None for a file."""

    frequencies: tuple[float, ...]
    sizes: tuple[float, float] | None


def band_outline(cfg: HornConfig, band: OutlineBand) -> Generatrix:
    """The outline a band solves: the profile file's, or the round horn's at the band's sizes."""
    if band.sizes is None:
        return read_outline(Path(cfg.mesh.file or ""), cfg.mesh.scale or 1.0)
    if cfg.horn is None:
        raise ValueError("the config has neither a horn profile nor a profile file")
    return horn_outline(cfg.horn, *band.sizes)


def horn_outline(horn: HornGeometry, throat_size: float, mouth_size: float) -> Generatrix:
    """The outline of a round horn's closed body, as the 3-D mesher builds it: throat disc (source), inner wall,
    mouth lip, outer shell offset by the wall thickness, and the rear closure at z = −wall_thickness.

    Sizes are in mm and graded as the 3-D mesh is: ``throat_size`` at the throat growing linearly with the
    distance from it to ``mouth_size`` at the mouth. The result is in metres.
    """
    inner = np.asarray(horn.profile(0.0, PROFILE_POINTS))[:, ::-1]
    outer = np.asarray(profiles.offset_profile([tuple(p) for p in inner[:, ::-1]], horn.wall_thickness))[:, ::-1]
    wall = horn.wall_thickness
    rear = outer[0]
    pieces = [
        (np.array([[0.0, 0.0], inner[0]]), SOURCE),
        (inner, WALL),
        (np.array([inner[-1], outer[-1]]), SECONDARY),
        (outer[::-1], SECONDARY),
        (np.array([rear, [rear[0], -wall]]), SECONDARY),
        (np.array([[rear[0], -wall], [0.0, -wall]]), SECONDARY),
    ]
    mouth_distance = float(np.hypot(*inner[-1]))

    def size(points: np.ndarray) -> np.ndarray:
        reach = np.minimum(1.0, np.hypot(points[:, 0], points[:, 1]) / mouth_distance)
        return throat_size + (mouth_size - throat_size) * reach

    return _resampled(pieces, size, MM)


def _resampled(
    pieces: list[tuple[np.ndarray, int]], size: Callable[[np.ndarray], np.ndarray], scale: float
) -> Generatrix:
    """Each tagged polyline (each piece starting where the one before ends) cut into straight elements no longer
    than ``size`` (mm) where they lie, nor turning more than MAX_TURN where the polyline bends (a tight mouth roll
    gets short elements whatever the wavelength allows), then chained into one outline scaled to metres."""
    points, tags = [pieces[0][0][:1]], []
    for polyline, tag in pieces:
        along = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(polyline, axis=0), axis=1))])
        dense = np.linspace(0.0, along[-1], FINE_STEPS)
        spots = np.column_stack([np.interp(dense, along, polyline[:, i]) for i in range(2)])
        middles = (dense[:-1] + dense[1:]) / 2
        bend = np.interp(middles, along, _curvature(polyline, along))
        allowed = np.minimum(size((spots[:-1] + spots[1:]) / 2), MAX_TURN / np.maximum(bend, 1e-12))
        effort = np.concatenate([[0.0], np.cumsum(np.diff(dense) / allowed)])
        count = max(1, math.ceil(effort[-1]))
        cuts = np.interp(np.linspace(0.0, effort[-1], count + 1), effort, dense)
        points.append(np.column_stack([np.interp(cuts, along, polyline[:, i]) for i in range(2)])[1:])
        tags.extend([tag] * count)
    return Generatrix.chain(np.concatenate(points) * scale, np.asarray(tags))


def _curvature(polyline: np.ndarray, along: np.ndarray) -> np.ndarray:
    """Curvature (1/mm) at each point of a polyline: the turn at a vertex over the length around it."""
    if len(polyline) < 3:
        return np.zeros(len(polyline))
    steps = np.diff(polyline, axis=0)
    heading = np.unwrap(np.arctan2(steps[:, 1], steps[:, 0]))
    turn = np.abs(np.diff(heading)) / ((along[2:] - along[:-2]) / 2)
    return np.concatenate([[turn[0]], turn, [turn[-1]]])


def read_outline(path: Path, scale: float) -> Generatrix:
    """A user's profile: line elements of a gmsh .msh in the half-plane y = 0, x ≥ 0 (x the radius, z the axis),
    tagged as surfaces are, chained from the axis back to the axis. ``scale`` converts its unit to metres.
    Interface lines (tag 4) are left out, as interface triangles are from a surface mesh."""
    points, lines, tags = read_cells(path, "line")
    keep = tags != INTERFACE
    lines, tags = lines[keep], tags[keep]
    name = Path(path).name
    if len(lines) == 0:
        raise MeshError(f"{name}: no line elements (an axisymmetric profile is lines in the plane y = 0)")
    used = np.unique(lines)
    xyz = np.asarray(points, dtype=np.float64)[used] * scale
    tolerance = AXIS_TOLERANCE * np.abs(xyz).max()
    if np.abs(xyz[:, 1]).max() > tolerance:
        raise MeshError(f"{name}: the profile leaves the plane y = 0 (x is the radius, z the axis)")
    if xyz[:, 0].min() < -tolerance:
        raise MeshError(f"{name}: the profile has points at x < 0 (x is the radius and must not be negative)")
    if SOURCE not in set(tags.tolist()):
        raise MeshError(f"{name}: no line elements with physical tag {SOURCE} (source)")
    radius = np.zeros(int(lines.max()) + 1)
    radius[used] = xyz[:, 0]
    order, nodes = _chained(lines, radius <= tolerance, name)
    rz = np.asarray(points, dtype=np.float64)[nodes][:, [0, 2]] * scale
    rz[[0, -1], 0] = 0.0
    return Generatrix.chain(rz, tags[order])


def _chained(lines: np.ndarray, on_axis: np.ndarray, name: str) -> tuple[list[int], list[int]]:
    """The lines in chain order and the nodes along it, from one end on the axis to the other."""
    touching: dict[int, list[int]] = {}
    for index, (a, b) in enumerate(lines.tolist()):
        touching.setdefault(a, []).append(index)
        touching.setdefault(b, []).append(index)
    ends = [node for node, members in touching.items() if len(members) == 1]
    broken = len(ends) != 2 or any(len(members) > 2 for members in touching.values())
    if broken or not all(on_axis[node] for node in ends):
        raise MeshError(f"{name}: the profile's lines must form one chain that starts and ends on the axis (x = 0)")
    order, nodes, node, previous = [], [ends[0]], ends[0], -1
    while True:
        following = [index for index in touching[node] if index != previous]
        if not following:
            break
        previous = following[0]
        a, b = lines[previous].tolist()
        node = b if a == node else a
        order.append(previous)
        nodes.append(node)
    if len(order) != len(lines):
        raise MeshError(f"{name}: the profile's lines must form one chain that starts and ends on the axis (x = 0)")
    return order, nodes


def write_outline(outline: Generatrix, path: Path) -> None:
    """The outline as a gmsh .msh 2.2 of tagged line elements in the plane y = 0 (metres): the method's mesh
    artifact, and a file ``read_outline`` takes back as a user's profile (with ``scale = 1``)."""
    import meshio

    xyz = np.column_stack([outline.nodes[:, 0], np.zeros(len(outline.nodes)), outline.nodes[:, 1]])
    tags = np.asarray(outline.tags, dtype=np.int64)
    mesh = meshio.Mesh(
        xyz,
        [("line", np.asarray(outline.elements, dtype=np.int64))],
        cell_data={"gmsh:physical": [tags], "gmsh:geometrical": [tags]},
        field_data={TAG_NAMES[int(t)]: np.array([int(t), 1]) for t in np.unique(tags)},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    meshio.write(path, mesh, file_format="gmsh22", binary=False)
