"""The axisymmetric operators and the radiated field, assembled row by row from the ring integrals in threads.

Every row (a collocation point) or field point is independent, so interleaved chunks of them go to numba's
threads; the static parts of the double layer and hypersingular operator are summed along each row, so an
element's own static terms follow from the closed-surface identities (see ``kernels``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
from numba import njit

from engine.solvers.horn.axisymmetric.kernels import (
    A0,
    AD,
    K0,
    KD,
    LANES,
    RULE_NODES,
    SLOTS,
    W0,
    WD,
    V,
    element,
    own_element,
)

#: Interleaved chunks of rows (or field points) shared out between threads.
CHUNKS = 16


def assemble(
    starts: np.ndarray, ends: np.ndarray, normals: np.ndarray, source: np.ndarray, k: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """V, K, K′ and W (N×N, collocation at midpoints, piecewise-constant densities) at wavenumber k.

    V and K′ are only filled in the columns of source elements, the only ones g ever multiplies.
    """
    n = len(starts)
    single, double, adjoint, hyper = (np.zeros((n, n), dtype=np.complex128) for _ in range(4))
    nodes = _rule_nodes(k, max(starts[:, 0].max(), ends[:, 0].max()))
    _in_threads(_rows, n, nodes, starts, ends, normals, source, float(k), single, double, adjoint, hyper)
    return single, double, adjoint, hyper


def radiate(
    starts: np.ndarray,
    ends: np.ndarray,
    normals: np.ndarray,
    k: float,
    pressure: np.ndarray,
    flux: np.ndarray,
    r: np.ndarray,
    z: np.ndarray,
) -> np.ndarray:
    """p(x) = ∫ p ∂G/∂n_y dS − ∫ G g dS at the points (r, z) off the surface, from element values p and g."""
    out = np.zeros(len(r), dtype=np.complex128)
    nodes = _rule_nodes(k, max(starts[:, 0].max(), ends[:, 0].max(), r.max(initial=0.0)))
    _in_threads(_points, len(r), nodes, starts, ends, normals, float(k), pressure, flux, r, z, out)
    return out


def _rule_nodes(k: float, radius: float) -> int:
    """Room for any azimuth rule between rings of at most this radius (kR turns at most k·√(r_x r_y) per radian)."""
    return RULE_NODES + LANES + 2 * math.ceil(k * radius)


def _in_threads(kernel: Callable[..., None], count: int, *args: object) -> None:
    """``kernel(indices, *args)`` over interleaved chunks of range(count) on numba's number of threads.

    The kernels release the GIL; a chunk goes to whichever thread is free, so a core shared with another
    process does not hold the others back.
    """
    chunks = [np.arange(first, count, CHUNKS) for first in range(min(CHUNKS, count))]
    workers = min(numba.get_num_threads(), len(chunks))
    if workers <= 1:
        for chunk in chunks:
            kernel(chunk, *args)
        return
    with ThreadPoolExecutor(workers) as pool:
        for _ in pool.map(lambda chunk: kernel(chunk, *args), chunks):
            pass


@njit(cache=True, nogil=True)
def _rows(rows, nodes, starts, ends, normals, source, k, single, double, adjoint, hyper):
    """The given rows of the four operators: collocation at those elements' midpoints."""
    rule = np.empty((2, nodes))
    acc = np.zeros(SLOTS)
    for i in rows:
        rx = 0.5 * (starts[i, 0] + ends[i, 0])
        zx = 0.5 * (starts[i, 1] + ends[i, 1])
        nrx, nzx = normals[i, 0], normals[i, 1]
        static_double = 0.0
        static_hyper = 0.0
        for j in range(starts.shape[0]):
            if j == i:
                continue
            ar, az, br, bz = starts[j, 0], starts[j, 1], ends[j, 0], ends[j, 1]
            element(rule, acc, k, rx, zx, nrx, nzx, ar, az, br, bz, normals[j, 0], normals[j, 1])
            double[i, j] = complex(acc[K0] + acc[KD], acc[KD + 1])
            hyper[i, j] = complex(acc[W0] + acc[WD], acc[WD + 1])
            static_double += acc[K0]
            static_hyper += acc[W0]
            if source[j]:
                single[i, j] = complex(acc[V], acc[V + 1])
                adjoint[i, j] = complex(acc[A0] + acc[AD], acc[AD + 1])
        length = math.hypot(ends[i, 0] - starts[i, 0], ends[i, 1] - starts[i, 1])
        own_element(rule, acc, k, rx, nrx, nzx, length)
        own_double = -0.5 - static_double
        double[i, i] = own_double + complex(acc[KD], acc[KD + 1])
        hyper[i, i] = -static_hyper + complex(acc[WD], acc[WD + 1])
        if source[i]:
            single[i, i] = complex(acc[V], acc[V + 1])
            adjoint[i, i] = own_double + acc[A0] - acc[K0] + complex(acc[AD], acc[AD + 1])


@njit(cache=True, nogil=True)
def _points(indices, nodes, starts, ends, normals, k, pressure, flux, r, z, out):
    """The field at the given points."""
    rule = np.empty((2, nodes))
    acc = np.zeros(SLOTS)
    for i in indices:
        total = 0.0j
        for j in range(starts.shape[0]):
            ar, az, br, bz = starts[j, 0], starts[j, 1], ends[j, 0], ends[j, 1]
            element(rule, acc, k, r[i], z[i], 0.0, 0.0, ar, az, br, bz, normals[j, 0], normals[j, 1])
            total += pressure[j] * complex(acc[K0] + acc[KD], acc[KD + 1]) - flux[j] * complex(acc[V], acc[V + 1])
        out[i] = total
