"""Mass matrices (the identity operator's weak form) and vertex values of P1/DP0 functions, in numpy.

bempp-cl assembles its sparse identity with numba kernels specialised per space, compiled in every fresh
process: about 20 s on 2 cores before the first frequency, even when the dense operators run on OpenCL.
For piecewise linear and constant functions on flat triangles the integrals are closed-form, so they are
assembled here from the spaces' dof maps instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse

#: ∫ φₐ φ_b over a triangle of unit area, for the three linear shape functions (P1 × P1) and for a
#: linear test function against the constant one (P1 × DP0).
P1_P1 = (np.ones((3, 3)) + np.eye(3)) / 12.0
P1_DP0 = np.full((3, 1), 1.0 / 3.0)


def mass_matrix(trial: Any, test: Any) -> sparse.csr_matrix:
    """M[i, j] = ∫ ψᵢ φⱼ over the elements where both spaces live (test dofs × trial dofs)."""
    shapes = (test.number_of_shape_functions, trial.number_of_shape_functions)
    local = {(3, 3): P1_P1, (3, 1): P1_DP0}[shapes]
    elements = np.flatnonzero(np.asarray(test.support) & np.asarray(trial.support))
    areas = np.asarray(test.grid.volumes)[elements]
    test_dofs, trial_dofs = np.asarray(test.local2global)[elements], np.asarray(trial.local2global)[elements]
    test_signs = np.asarray(test.local_multipliers)[elements]
    trial_signs = np.asarray(trial.local_multipliers)[elements]
    rows, cols, values = [], [], []
    for a in range(shapes[0]):
        for b in range(shapes[1]):
            rows.append(test_dofs[:, a])
            cols.append(trial_dofs[:, b])
            values.append(areas * local[a, b] * test_signs[:, a] * trial_signs[:, b])
    return sparse.csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
        shape=(test.global_dof_count, trial.global_dof_count),
    )


def vertex_values(space: Any, coefficients: np.ndarray) -> np.ndarray:
    """The values of a P1 function at the grid's vertices."""
    elements = np.flatnonzero(np.asarray(space.support))
    vertices = np.asarray(space.grid.elements)[:, elements].T
    dofs = np.asarray(space.local2global)[elements]
    signs = np.asarray(space.local_multipliers)[elements]
    values = np.zeros(space.grid.vertices.shape[1], dtype=np.asarray(coefficients).dtype)
    values[vertices.ravel()] = (np.asarray(coefficients)[dofs] * signs).ravel()
    return values
