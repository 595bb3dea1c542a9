"""The most direct bempp-cl script for a horn: what a user would write instead of queueing a hornq job.

Reads a tagged gmsh surface (metres; tag 2 = source), solves the same Burton–Miller exterior problem
as hornq at the given frequencies, evaluates the pressure on the same polar points (0…180° in 5°
steps at 2 m, horizontal and vertical planes) and prints the seconds per frequency as JSON. It runs
in a fresh process, as a user would run it, so it pays bempp-cl's numba compilation every time.

    python bench/plain_bempp.py MESH.msh F1 F2 ...
"""

from __future__ import annotations

import json
import sys
import time

import bempp_cl.api as bempp
import meshio
import numpy as np
from bempp_cl.api.operators import boundary, potential

C, RHO = 343.0, 1.205


def main(path: str, frequencies: list[float]) -> None:
    mesh = meshio.read(path)
    triangles = mesh.cells_dict["triangle"]
    tags = mesh.cell_data_dict["gmsh:physical"]["triangle"]
    keep = tags != 4  # the mouth interface is not part of an exterior solve
    used, compact = np.unique(triangles[keep], return_inverse=True)
    grid = bempp.Grid(
        mesh.points[used].T.copy(),
        compact.reshape(-1, 3).T.astype(np.uint32).copy(),
        domain_indices=tags[keep].astype(np.uint32),
    )
    angles = np.radians(np.arange(0, 181, 5))
    points = 2.0 * np.hstack(
        [
            np.vstack([np.sin(angles), 0 * angles, np.cos(angles)]),
            np.vstack([0 * angles, np.sin(angles), np.cos(angles)]),
        ]
    )
    p1 = bempp.function_space(grid, "P", 1)
    source = bempp.function_space(grid, "DP", 0, segments=[2])
    seconds = []
    for f in frequencies:
        start = time.perf_counter()
        k = 2 * np.pi * f / C
        eta = 1j / k
        g = bempp.GridFunction(source, coefficients=1j * 2 * np.pi * f * RHO * np.ones(source.global_dof_count))
        lhs = (
            0.5 * boundary.sparse.identity(p1, p1, p1)
            - boundary.helmholtz.double_layer(p1, p1, p1, k)
            + eta * boundary.helmholtz.hypersingular(p1, p1, p1, k)
        )
        rhs = (
            -boundary.helmholtz.single_layer(source, p1, p1, k)
            - eta
            * (
                0.5 * boundary.sparse.identity(source, p1, p1)
                + boundary.helmholtz.adjoint_double_layer(source, p1, p1, k)
            )
        ) * g
        pressure, _ = bempp.linalg.gmres(lhs, rhs, tol=1e-6)
        field = potential.helmholtz.double_layer(p1, points, k).evaluate(pressure) - potential.helmholtz.single_layer(
            source, points, k
        ).evaluate(g)
        assert np.all(np.isfinite(field))
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"triangles": int(keep.sum()), "seconds": seconds}))


if __name__ == "__main__":
    main(sys.argv[1], [float(f) for f in sys.argv[2:]])
