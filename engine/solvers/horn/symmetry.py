"""Mirror symmetry of a horn about the planes through its axis (+z), to solve a half or a quarter of it.

The azimuth p is measured from +x towards +y, so a point at azimuth p lies at (r cos p, r sin p, z):

* "half": mirror about the x–z plane (y → −y, p → −p); the kept part is y ≥ 0. A parameter must satisfy
  f(p) = f(−p).
* "quarter": mirror about the x–z and the y–z planes (x → −x is p → π − p); the kept part is x ≥ 0, y ≥ 0.
  A parameter must also satisfy f(p) = f(π − p).

A horn symmetric only about the y–z plane is "none": one plane convention keeps the part and the polar
planes (horizontal = x–z, vertical = y–z) simple.

The solve stays exact: the mesh is one full mirror-symmetric grid (the part and its mirror images sharing the
vertices on the planes), the trial space is P1 on the whole grid and the test space P1 restricted to the
part's triangles. Each full-grid dof is tied to the part dof at its mirror image by a fold matrix F
(N_full × N_part), so the assembled rows A (N_part × N_full) become the square system A F; its solution x
expands to the whole surface as F x. The pressure is symmetric because the geometry and the drive are.

numpy and scipy are imported inside the functions that use them: validation may call ``detect`` in the CLI.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from engine.solvers.horn.expr import parse_expression

if TYPE_CHECKING:
    import numpy as np

NONE, HALF, QUARTER = "none", "half", "quarter"
SYMMETRIES = (NONE, HALF, QUARTER)
#: Copies of the part a mirror-symmetric model's surface holds (its columns per test row).
PARTS = {NONE: 1, HALF: 2, QUARTER: 4}

#: Azimuths sampled when checking a parameter's symmetry, and the relative tolerance of the comparison.
DETECT_SAMPLES = 64
DETECT_TOLERANCE = 1e-9
#: Coordinates this close to a symmetry plane (relative to the mesh's extent) lie on it.
PLANE_TOLERANCE = 1e-9
#: Farther than this (relative to the extent) beyond a plane, or from a vertex's mirror image, is an error.
MISMATCH = 1e-6


def detect(horn: Mapping[str, Any]) -> str:
    """The widest symmetry every azimuth expression of a normalised ``[horn]`` table has; never more.

    A horn whose parameters are all numbers is axisymmetric, hence "quarter".
    """
    functions = [
        parse_expression(value, f"horn.{name}")
        for name, value in horn.items()
        if name not in ("formula", "wall_thickness") and isinstance(value, str)
    ]
    samples = [2 * math.pi * (i + 0.5) / DETECT_SAMPLES for i in range(DETECT_SAMPLES)]
    even = all(_same(f(p), f(-p)) for f in functions for p in samples)
    if not even:
        return NONE
    mirrored = all(_same(f(p), f(math.pi - p)) for f in functions for p in samples)
    return QUARTER if mirrored else HALF


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= DETECT_TOLERANCE * max(1.0, abs(a), abs(b))


def check(symmetry: str) -> None:
    """ValueError unless ``symmetry`` is one of SYMMETRIES."""
    if symmetry not in SYMMETRIES:
        raise ValueError(f"unknown symmetry {symmetry!r} (use one of {', '.join(SYMMETRIES)})")


def reflections(symmetry: str) -> list[tuple[float, float]]:
    """(x, y) sign pairs of the mirror images after the part itself, in the order ``mirror`` appends them."""
    check(symmetry)
    return {NONE: [], HALF: [(1.0, -1.0)], QUARTER: [(-1.0, 1.0), (1.0, -1.0), (-1.0, -1.0)]}[symmetry]


def fold_coordinates(points: np.ndarray, symmetry: str) -> np.ndarray:
    """Points (M×3) moved to their image in the kept part: (x, |y|, z) for half, (|x|, |y|, z) for quarter."""
    import numpy as np

    check(symmetry)
    folded = np.array(points, dtype=np.float64, copy=True)
    if symmetry in (HALF, QUARTER):
        folded[:, 1] = np.abs(folded[:, 1])
    if symmetry == QUARTER:
        folded[:, 0] = np.abs(folded[:, 0])
    return folded


def part_elements(points: np.ndarray, triangles: np.ndarray, symmetry: str) -> np.ndarray:
    """Boolean mask of the triangles (T×3 into points M×3) whose centroid lies in the kept part."""
    import numpy as np

    check(symmetry)
    centroids = np.asarray(points)[np.asarray(triangles)].mean(axis=1)
    keep = np.ones(len(centroids), dtype=bool)
    if symmetry in (HALF, QUARTER):
        keep &= centroids[:, 1] > 0
    if symmetry == QUARTER:
        keep &= centroids[:, 0] > 0
    return keep


def mirror(
    points: np.ndarray, triangles: np.ndarray, tags: np.ndarray, symmetry: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The full mirror-symmetric surface of a part lying in the kept region.

    Returns the part followed by its mirror images (``reflections`` order): points, triangles (0-based) and
    tags. Vertices on a symmetry plane are snapped onto it and shared between the part and its images;
    triangles of an image made by one reflection are flipped, so outward normals stay outward. Unused points
    of the part are dropped, and coinciding points merged. With "none" the surface is returned as given.
    """
    import numpy as np

    check(symmetry)
    if symmetry == NONE:
        return np.asarray(points), np.asarray(triangles), np.asarray(tags)
    used, compact = np.unique(np.asarray(triangles, dtype=np.int64), return_inverse=True)
    part = np.array(np.asarray(points, dtype=np.float64)[used], copy=True)
    tris = compact.reshape(-1, 3)
    tags = np.asarray(tags, dtype=np.int64)
    extent = float(np.abs(part).max()) if len(part) else 1.0
    tolerance = PLANE_TOLERANCE * max(extent, 1e-300)
    planes = [1] if symmetry == HALF else [0, 1]
    for axis in planes:
        if np.any(part[:, axis] < -MISMATCH * extent):
            raise ValueError(f"the part crosses the symmetry plane {'yx'[axis]} = 0")
        part[np.abs(part[:, axis]) <= tolerance, axis] = 0.0

    blocks, all_triangles, all_tags = [part], [tris], [tags]
    for sx, sy in reflections(symmetry):
        blocks.append(part * np.array([sx, sy, 1.0]) + 0.0)  # + 0.0 turns −0.0 into 0.0
        offset = len(part) * (len(blocks) - 1)
        all_triangles.append(tris[:, [0, 2, 1]] + offset if sx * sy < 0 else tris + offset)
        all_tags.append(tags)
    unique, first, inverse = np.unique(np.concatenate(blocks), axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return unique[order], rank[inverse.ravel()][np.concatenate(all_triangles)], np.concatenate(all_tags)


def fold_matrix(test_space: Any, trial_space: Any, symmetry: str) -> Any:
    """Sparse F (trial dofs × test dofs) with F[j, i] = 1 when trial dof j's vertex mirrors onto test dof i's.

    ``test_space`` is P1 restricted to the part (boundary dofs included), ``trial_space`` P1 on the full
    mirror-symmetric grid of the same bempp grid.
    """
    import numpy as np
    import scipy.sparse
    from scipy.spatial import cKDTree

    vertices = np.asarray(trial_space.grid.vertices).T
    test_points = vertices[dof_vertices(test_space)]
    trial_points = fold_coordinates(vertices[dof_vertices(trial_space)], symmetry)
    distance, nearest = cKDTree(test_points).query(trial_points)
    scale = float(np.abs(vertices).max())
    if float(distance.max()) > MISMATCH * scale:
        raise ValueError("the grid is not mirror-symmetric: a vertex has no mirror image in the kept part")
    rows = np.arange(len(trial_points))
    values = np.ones(len(rows))
    return scipy.sparse.csr_matrix((values, (rows, nearest)), shape=(len(trial_points), len(test_points)))


def dof_vertices(space: Any) -> np.ndarray:
    """The grid vertex of each global dof of a P1 space (only elements in the space's support count)."""
    import numpy as np

    elements = np.asarray(space.grid.elements)
    support = np.flatnonzero(np.asarray(space.support))
    local2global = np.asarray(space.local2global)
    result = np.full(space.global_dof_count, -1, dtype=np.int64)
    for corner in range(3):
        result[local2global[support, corner]] = elements[corner, support]
    if np.any(result < 0):
        raise ValueError("a dof of the space has no vertex in its support")
    return result
