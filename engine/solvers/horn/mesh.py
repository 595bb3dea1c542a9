"""Closed, tagged BEM surface meshes of horns, made with gmsh or prepared from a user's own mesh file.

Geometry (mm, axis +z, throat disc at z = 0, mouth towards +z), built with gmsh's OpenCASCADE kernel:

* inner wall (tag 1 "wall"): a smooth loft through closed splines, one per profile station, so an
  azimuth-dependent profile (angles that are expressions of p) costs nothing extra;
* throat disc (tag 2 "source"): plane surface on the wall's first edge;
* outer shell (tag 3 "secondary"): the profile offset by the wall thickness to the outside;
* mouth lip (tag 3 "secondary"): ruled band joining the wall's and the shell's mouth edges;
* rear closure (tag 3 "secondary"): ruled band from the shell's rear edge back to z = −wall_thickness
  and a flat disc there, which closes the body behind the throat.

Tag 4 (interface, the mouth opening between an interior and an exterior domain) is never generated:
the solve is single-domain exterior. Each surface after the first is built on the boundary edges of
the one it meets, so neighbours share edges and the mesh is watertight without a boolean fragment.
With a mirror symmetry ("half" or "quarter") only the kept part is built: open splines over its azimuth
range, lofts through them, and discs closed by straight edges on the planes. It is meshed and mirrored
into the full body, so the mesh is exactly mirror-symmetric (which the folded BEM solve needs) and its
vertices on the planes are shared. (Cutting the full body down with an OpenCASCADE boolean instead takes
several times as long as meshing it.)
Triangles are then oriented consistently with outward normals (positive signed volume) and written
as gmsh .msh 2.2 ASCII in metres, which meshio and bempp-cl's ``import_grid`` read.

gmsh, numpy and meshio are imported inside the functions that use them, so importing this module stays
cheap.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.solvers.horn import profiles
from engine.solvers.horn import symmetry as mirror_symmetry
from engine.solvers.horn.config import HornConfig, HornGeometry
from engine.solvers.horn.constants import INTERFACE, SECONDARY, SOURCE, TAG_NAMES, WALL
from engine.solvers.horn.meshfile import MeshError, read_triangles, resolution_size, surface_edges
from engine.solvers.horn.sizing import lip_size

if TYPE_CHECKING:
    import numpy as np

#: Profile stations lofted along the horn and spline points around it: enough that the loft's
#: deviation from the formula is far below any element size a BEM solve can afford.
STATIONS = 32
AZIMUTH_POINTS = 48
MM = 0.001
#: The Debian and Ubuntu packages of the shared libraries gmsh's wheel loads beyond a minimal system.
GMSH_SYSTEM_PACKAGES = "libglu1-mesa libgl1 libxrender1 libxcursor1 libxft2 libxinerama1 libfontconfig1 libgomp1"


@dataclass(frozen=True)
class MeshInfo:
    """What a mesh file holds; lengths in metres (file units times ``scale``)."""

    path: Path
    triangles: int
    nodes: int
    h_min: float
    h_max: float
    h_mean: float
    #: Quadratic mean of the edge lengths: the element size the resolution is measured by (``resolution_size``).
    h_rms: float
    #: c / (f_max · h_rms): the elements per wavelength at the top of the sweep.
    elements_per_wavelength: float
    tag_counts: dict[int, int]
    #: Volume enclosed, from the triangles' orientation: positive means normals point outward.
    signed_volume: float
    #: Every edge is shared by exactly two triangles.
    closed: bool
    #: Metres per file unit (1.0 for meshes written by ``build_mesh``).
    scale: float


def build_mesh(cfg: HornConfig, out_path: Path, symmetry: str = mirror_symmetry.NONE) -> MeshInfo:
    """Write the BEM surface mesh for ``cfg`` to ``out_path`` (.msh 2.2, metres) and describe it.

    A generated mesh comes from the horn profile; with ``mesh.file`` the user's mesh is scaled to
    metres, reoriented outward when it is closed, and written the same way, so the solver reads
    one kind of file. ``symmetry`` "half" or "quarter" meshes that part of a generated horn (or takes a
    user's file as holding only that part) and mirrors it: the written file always holds the full body.
    """
    mirror_symmetry.check(symmetry)
    out_path = Path(out_path)
    f_max, c = cfg.sweep.f_max, cfg.medium.c
    if cfg.mesh.file is not None:
        points, triangles, tags = read_triangles(Path(cfg.mesh.file))
        points = points * cfg.mesh.scale
        try:
            points, triangles, tags = mirror_symmetry.mirror(points, triangles, tags, symmetry)
        except ValueError as exc:
            raise MeshError(f"mesh.file holds more than the {symmetry} model's part: {exc}") from None
        surface = tags != INTERFACE
        oriented, closed = orient_outward(triangles[surface], points)
        if closed:
            triangles = triangles.copy()
            triangles[surface] = oriented
        _write_msh(out_path, points, triangles, tags)
        return mesh_info(out_path, points, triangles, tags, f_max, c, 1.0)
    if cfg.horn is None or cfg.mesh.throat_size is None or cfg.mesh.mouth_size is None:
        raise MeshError("the config has neither a horn profile with mesh sizes nor a mesh file")
    points, triangles, tags = _generate(cfg.horn, cfg.mesh.throat_size, cfg.mesh.mouth_size, symmetry)
    points, triangles, tags = mirror_symmetry.mirror(points, triangles, tags, symmetry)
    oriented, closed = orient_outward(triangles, points)
    if not closed:
        raise MeshError("gmsh produced an open surface (an edge not shared by exactly two triangles)")
    points = points * MM
    _write_msh(out_path, points, oriented, tags)
    return mesh_info(out_path, points, oriented, tags, f_max, c, 1.0)


def import_mesh_info(path: Path, scale: float, f_max: float, c: float = 343.0) -> MeshInfo:
    """Describe an existing .msh without changing it; ``scale`` converts its units to metres."""
    points, triangles, tags = read_triangles(Path(path))
    return mesh_info(Path(path), points * scale, triangles, tags, f_max, c, scale)


def mesh_info(
    path: Path,
    points: np.ndarray,
    triangles: np.ndarray,
    tags: np.ndarray,
    f_max: float,
    c: float,
    scale: float,
) -> MeshInfo:
    """Sizes, tags, closedness and enclosed volume of a triangle surface given in metres."""
    import numpy as np

    surface = triangles[tags != INTERFACE]
    lengths, counts = surface_edges(points, surface)
    p0, p1, p2 = (points[surface[:, i]] for i in range(3))
    volume = float(np.einsum("ij,ij->i", p0, np.cross(p1, p2)).sum() / 6.0)
    values, per_tag = np.unique(tags, return_counts=True)
    h_rms = resolution_size(lengths)
    return MeshInfo(
        path=Path(path),
        triangles=len(triangles),
        nodes=len(np.unique(triangles)),
        h_min=float(lengths.min()),
        h_max=float(lengths.max()),
        h_mean=float(lengths.mean()),
        h_rms=h_rms,
        elements_per_wavelength=c / (f_max * h_rms),
        tag_counts={int(v): int(n) for v, n in zip(values, per_tag, strict=True)},
        signed_volume=volume,
        closed=bool(np.all(counts == 2)),
        scale=scale,
    )


def orient_outward(triangles: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, bool]:
    """Make neighbouring triangles agree in orientation and each closed component enclose positive
    volume. Returns the reoriented triangles and whether the surface is closed (only then is
    "outward" defined; an open surface is returned consistently oriented but otherwise as given)."""
    import numpy as np

    tris = np.asarray(triangles, dtype=np.int64)
    neighbours: dict[tuple[int, int], list[tuple[int, bool]]] = {}
    for index, (a, b, c) in enumerate(tris.tolist()):
        for u, v in ((a, b), (b, c), (c, a)):
            key = (u, v) if u < v else (v, u)
            neighbours.setdefault(key, []).append((index, u < v))
    closed = all(len(users) == 2 for users in neighbours.values())

    flip = np.zeros(len(tris), dtype=bool)
    seen = np.zeros(len(tris), dtype=bool)
    components: list[list[int]] = []
    for seed in range(len(tris)):
        if seen[seed]:
            continue
        seen[seed] = True
        component, stack = [seed], [seed]
        while stack:
            t = stack.pop()
            a, b, c = tris[t].tolist()
            for u, v in ((a, b), (b, c), (c, a)):
                key = (u, v) if u < v else (v, u)
                direction = (u < v) != flip[t]
                for other, forward in neighbours[key]:
                    if not seen[other]:
                        seen[other] = True
                        flip[other] = forward == direction
                        component.append(other)
                        stack.append(other)
        components.append(component)

    result = tris.copy()
    result[flip] = result[flip][:, [0, 2, 1]]
    if closed:
        for component in components:
            part = result[component]
            p0, p1, p2 = (points[part[:, i]] for i in range(3))
            if np.einsum("ij,ij->i", p0, np.cross(p1, p2)).sum() < 0:
                result[component] = part[:, [0, 2, 1]]
    return result, closed


def _generate(
    horn: HornGeometry, throat_size: float, mouth_size: float, symmetry: str = mirror_symmetry.NONE
) -> tuple[Any, Any, Any]:
    """Mesh the horn body, or its kept part under a symmetry, with gmsh; returns points (mm), triangles
    (0-based) and physical tags."""
    import numpy as np

    gmsh = _import_gmsh()

    wall = horn.wall_thickness
    whole = symmetry == mirror_symmetry.NONE
    # A part's splines pass through the full body's spline points in its azimuth range (90° and 180° are
    # among them: AZIMUTH_POINTS is a multiple of 4). Left free at their ends, they deviate from the
    # profile no more than the closed splines do; gmsh's end tangents would make the fit far worse.
    count = AZIMUTH_POINTS // {mirror_symmetry.NONE: 1, mirror_symmetry.HALF: 2, mirror_symmetry.QUARTER: 4}[symmetry]
    azimuths = [2 * math.pi * j / AZIMUTH_POINTS for j in range(count if whole else count + 1)]
    if horn.axisymmetric:
        inner = [horn.profile(0.0, STATIONS)] * len(azimuths)
    else:
        inner = [horn.profile(p, STATIONS) for p in azimuths]
    outer = [profiles.offset_profile(points, wall) for points in inner]
    mouth_distance = min(math.hypot(*points[-1]) for points in inner)
    rim_size = lip_size(throat_size, mouth_size, wall)

    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.logger.start()
        occ = gmsh.model.occ

        def section(profile_points: list[list[profiles.Point]], station: int, z: float | None = None) -> int:
            """A spline through one profile station at every azimuth (closed for the whole body)."""
            tags = []
            for p, points in zip(azimuths, profile_points, strict=True):
                x, y = points[station]
                tags.append(occ.addPoint(y * math.cos(p), y * math.sin(p), x if z is None else z))
            return occ.addSpline([*tags, tags[0]] if whole else tags)

        def end_edges(dim_tags: list[tuple[int, int]]) -> tuple[int, int]:
            """The (throat-side, mouth-side) boundary curves of a lofted surface (not a part's side curves,
            which lie in a symmetry plane)."""
            occ.synchronize()
            curves = [tag for _, tag in gmsh.model.getBoundary(dim_tags, oriented=False)]
            if not whole:
                curves = [tag for tag in curves if not _in_a_plane(occ.getBoundingBox(1, tag))]
            curves.sort(key=lambda tag: occ.getBoundingBox(1, tag)[5])
            return curves[0], curves[-1]

        def part_disc(arc: int) -> int:
            """A plane surface closing a part's arc with straight edges on the planes."""
            occ.synchronize()
            start, end = (abs(tag) for _, tag in gmsh.model.getBoundary([(1, arc)], oriented=True))
            if symmetry == mirror_symmetry.HALF:
                edges = [arc, occ.addLine(end, start)]
            else:
                centre = occ.addPoint(0.0, 0.0, occ.getBoundingBox(0, start)[2])
                edges = [arc, occ.addLine(end, centre), occ.addLine(centre, start)]
            return occ.addPlaneSurface([occ.addCurveLoop(edges)])

        inner_loft = occ.addThruSections([occ.addWire([section(inner, i)]) for i in range(STATIONS)], makeSolid=False)
        outer_loft = occ.addThruSections([occ.addWire([section(outer, i)]) for i in range(STATIONS)], makeSolid=False)
        wall_throat, wall_mouth = end_edges(inner_loft)
        shell_rear, shell_mouth = end_edges(outer_loft)
        rear_curve = section(outer, 0, z=-wall)
        rear_wire = occ.addWire([rear_curve])
        lip = occ.addThruSections(
            [occ.addWire([wall_mouth]), occ.addWire([shell_mouth])], makeSolid=False, makeRuled=True
        )
        band = occ.addThruSections([occ.addWire([shell_rear]), rear_wire], makeSolid=False, makeRuled=True)
        if whole:
            throat = occ.addPlaneSurface([occ.addCurveLoop([wall_throat])])
            rear = occ.addPlaneSurface([rear_wire])
        else:
            throat, rear = part_disc(wall_throat), part_disc(rear_curve)
        occ.synchronize()

        groups = {
            WALL: [tag for _, tag in inner_loft],
            SOURCE: [throat],
            SECONDARY: [tag for _, tag in outer_loft + lip + band] + [rear],
        }
        surfaces = [(2, tag) for tags in groups.values() for tag in tags]
        used = {tag for _, tag in gmsh.model.getBoundary(surfaces, combined=False, oriented=False)}
        occ.remove([(1, tag) for _, tag in gmsh.model.getEntities(1) if tag not in used], recursive=True)
        occ.synchronize()
        for tag, members in groups.items():
            gmsh.model.addPhysicalGroup(2, members, tag, name=TAG_NAMES[tag])

        fields = gmsh.model.mesh.field
        graded = fields.add("MathEval")
        fields.setString(
            graded,
            "F",
            f"{throat_size} + ({mouth_size} - {throat_size}) * Min(1, Sqrt(x*x + y*y + z*z) / {mouth_distance})",
        )
        rim = fields.add("Distance")
        fields.setNumbers(rim, "CurvesList", [wall_mouth, shell_mouth])
        fields.setNumber(rim, "Sampling", 200)
        near_rim = fields.add("Threshold")
        fields.setNumber(near_rim, "InField", rim)
        fields.setNumber(near_rim, "SizeMin", rim_size)
        fields.setNumber(near_rim, "SizeMax", mouth_size)
        fields.setNumber(near_rim, "DistMin", wall)
        fields.setNumber(near_rim, "DistMax", wall + mouth_size)
        smallest = fields.add("Min")
        fields.setNumbers(smallest, "FieldsList", [graded, near_rim])
        fields.setAsBackgroundMesh(smallest)
        for option, value in (
            ("Mesh.MeshSizeExtendFromBoundary", 0),
            ("Mesh.MeshSizeFromPoints", 0),
            ("Mesh.MeshSizeFromCurvature", 0),
            ("Mesh.Algorithm", 6),
        ):
            gmsh.option.setNumber(option, value)
        try:
            gmsh.model.mesh.generate(2)
        except Exception as exc:
            raise MeshError(f"gmsh could not mesh the horn: {_gmsh_error(gmsh, exc)}") from None

        node_tags, coords, _ = gmsh.model.mesh.getNodes()
        index = np.full(int(node_tags.max()) + 1, -1, dtype=np.int64)
        index[node_tags.astype(np.int64)] = np.arange(len(node_tags))
        points = coords.reshape(-1, 3)
        triangles, tags = [], []
        for tag, members in groups.items():
            for surface in members:
                _, _, element_nodes = gmsh.model.mesh.getElements(2, surface)
                if not element_nodes:
                    raise MeshError(f"gmsh left the {TAG_NAMES[tag]} surface without triangles")
                block = index[np.asarray(element_nodes[0], dtype=np.int64)].reshape(-1, 3)
                triangles.append(block)
                tags.append(np.full(len(block), tag, dtype=np.int64))
    finally:
        gmsh.logger.stop()
        gmsh.finalize()
    all_triangles = np.concatenate(triangles)
    used_nodes, compact = np.unique(all_triangles, return_inverse=True)
    return points[used_nodes], compact.reshape(all_triangles.shape), np.concatenate(tags)


def _import_gmsh() -> Any:
    """gmsh, or a MeshError that names the system library its wheel could not load and the packages that bring
    it: the wheel needs X11 and OpenGL libraries even without a display, which minimal servers lack."""
    try:
        import gmsh
    except (ImportError, OSError) as exc:
        missing = re.search(r"\blib[\w+-]+\.so[.\d]*", str(exc))
        if missing is None:
            raise
        raise MeshError(
            f"gmsh cannot load {missing.group()}, a system library its wheel needs even without a display; "
            f"on Debian or Ubuntu: sudo apt-get install {GMSH_SYSTEM_PACKAGES}"
        ) from None
    return gmsh


def _in_a_plane(box: tuple[float, ...]) -> bool:
    """Whether a bounding box (x0, y0, z0, x1, y1, z1) is flat in x or y: a curve in a symmetry plane.
    OpenCASCADE pads boxes by the shape tolerance, so "flat" allows more than the planes' own tolerance."""
    x0, y0, _, x1, y1, _ = box
    extent = max(abs(value) for value in box)
    return min(x1 - x0, y1 - y0) <= mirror_symmetry.MISMATCH * extent


def _gmsh_error(gmsh: Any, exc: Exception) -> str:
    """The first error gmsh logged (its exception text alone is often just "Error")."""
    errors = [line for line in gmsh.logger.get() if line.startswith("Error")]
    return (errors[0] if errors else str(exc)).splitlines()[0]


def _write_msh(path: Path, points: Any, triangles: Any, tags: Any) -> None:
    """gmsh .msh 2.2 ASCII with named physical groups; only nodes used by triangles are kept."""
    import meshio
    import numpy as np

    used, compact = np.unique(triangles, return_inverse=True)
    tags = np.asarray(tags, dtype=np.int64)
    mesh = meshio.Mesh(
        points[used],
        [("triangle", compact.reshape(-1, 3))],
        cell_data={"gmsh:physical": [tags], "gmsh:geometrical": [tags]},
        field_data={TAG_NAMES.get(int(t), f"tag{int(t)}"): np.array([int(t), 2]) for t in np.unique(tags)},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    meshio.write(path, mesh, file_format="gmsh22", binary=False)
