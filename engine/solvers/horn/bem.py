"""Exterior Neumann Burton–Miller BEM solve of a horn surface with bempp-cl.

Conventions: time factor e^(−iωt), normals pointing into the air, k = ω/c. bempp-cl's Helmholtz kernel is
e^(ikr)/(4πr), the outgoing wave of that convention, so its operators are used as they are. The surface
pressure p lives in P1 on the whole grid; its normal derivative g = ∂p/∂n = iωρ vₙ lives in DP0 on the source
(tag 2) only, zero elsewhere. With η = i/k the boundary equation is

    (½I − K + ηW) p = −V g − η(½I + K′) g

and the field at a point x is p(x) = D[p](x) − S[g](x). The plain (½I − K) equation breaks down at interior
resonances of the closed surface; the ηW term removes them.

With a symmetry ("half" or "quarter", see ``symmetry``) the grid is the full mirror-symmetric surface; the
equation is tested only against P1 on the kept part's triangles and the columns are folded onto the part's
dofs, so a quarter assembles N/4 × N entries and solves an N/4 system. The folded solution expands to the
whole surface, where the field is evaluated as usual. The identity terms are mass matrices assembled in numpy
(``mass``), which spares a fresh worker bempp-cl's numba compilation of its sparse identity.

bempp-cl is imported lazily: it costs seconds to import and prints a line about a missing Gmsh executable.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.solvers.horn import symmetry as mirror_symmetry
from engine.solvers.horn.backend import bempp_api
from engine.solvers.horn.constants import INTERFACE, SOURCE
from engine.solvers.horn.mass import mass_matrix, vertex_values
from engine.solvers.horn.sweep import FrequencySweep, Solved, SweepResult, solve_in_order

if TYPE_CHECKING:
    from bempp_cl.api import Grid

GMRES_TOLERANCE = 1e-6

#: The device interfaces ("numba", "opencl") this process has solved with: each pays its kernel build once.
_warm: set[str] = set()


def is_warm(device_interface: str | None = None) -> bool:
    """Whether this process has solved a frequency on that interface (any, if None): its kernels are built."""
    return bool(_warm) if device_interface is None else device_interface in _warm


def load_grid(msh_path: Path, scale: float) -> Grid:
    """Read a gmsh .msh surface into a bempp grid in metres, leaving out the mouth interface (tag 4).

    ``scale`` converts the file's length unit to metres (1e-3 for millimetres). The physical tag of each
    triangle becomes the grid's domain index, so the source can be found again as segment 2.
    """
    import meshio

    bempp = bempp_api()
    mesh = meshio.read(msh_path)
    if "triangle" not in mesh.cells_dict:
        raise ValueError(f"{msh_path.name}: no triangles in the mesh")
    triangles = np.asarray(mesh.cells_dict["triangle"], dtype=np.int64)
    physical = mesh.cell_data_dict.get("gmsh:physical", {}).get("triangle")
    if physical is None:
        raise ValueError(f"{msh_path.name}: triangles carry no physical tags")
    tags = np.asarray(physical, dtype=np.int64)
    keep = tags != INTERFACE
    triangles, tags = triangles[keep], tags[keep]
    if not np.any(tags == SOURCE):
        raise ValueError(f"{msh_path.name}: no source surface (physical tag {SOURCE}) in the mesh")
    used, compact = np.unique(triangles, return_inverse=True)
    vertices = np.asarray(mesh.points, dtype=np.float64)[used] * scale
    elements = compact.reshape(triangles.shape).astype(np.uint32)
    return bempp.Grid(vertices.T.copy(), elements.T.copy(), domain_indices=tags.astype(np.uint32))


def _source_mean_weights(grid: Any) -> tuple[np.ndarray, np.ndarray]:
    """Source triangles' vertex indices and area weights, so ⟨p⟩ over the source is exact for P1 data."""
    source = np.asarray(grid.domain_indices) == SOURCE
    areas = np.asarray(grid.volumes)[source]
    return np.asarray(grid.elements)[:, source], areas / areas.sum()


def solve_sweep(
    grid: Grid,
    frequencies: Sequence[float],
    points: np.ndarray,
    *,
    c: float,
    rho: float,
    velocity: complex | None = None,
    acceleration: complex | None = None,
    on_frequency: Callable[[int, int, float], None] | None = None,
    on_solved: Callable[[Solved], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    symmetry: str = mirror_symmetry.NONE,
    device_interface: str | None = None,
    precision: str | None = None,
) -> SweepResult:
    """Solve the radiation problem at each frequency and evaluate the pressure at ``points`` (3×M, metres).

    The source moves with vₙ = 1 m/s unless a velocity or an acceleration is given. ``on_frequency(i, n, f)``
    runs before each frequency and ``on_solved`` after it; ``should_stop()`` is asked before each one and a true
    answer raises ``Cancelled`` (a frequency in progress is never interrupted). ``symmetry`` "half" or "quarter"
    needs the full mirror-symmetric grid and solves only its part. ``device_interface`` ("opencl" or "numba") and
    ``precision`` ("single" or "double") go to every bempp-cl operator; None keeps bempp-cl's defaults.
    """
    sweep = Sweep(
        grid,
        frequencies,
        points,
        c=c,
        rho=rho,
        velocity=velocity,
        acceleration=acceleration,
        symmetry=symmetry,
        device_interface=device_interface,
        precision=precision,
    )
    return solve_in_order(sweep, on_frequency, on_solved, should_stop)


def _quiet_library_warnings() -> None:
    """Silence bempp-cl's performance advice to library authors; it means nothing to a horn designer."""
    from numba.core.errors import NumbaPerformanceWarning

    warnings.simplefilter("ignore", NumbaPerformanceWarning)


class Sweep(FrequencySweep):
    """One grid's sweep, solved a frequency at a time in any order: its spaces and mass matrices are built once."""

    def __init__(
        self,
        grid: Grid,
        frequencies: Sequence[float],
        points: np.ndarray,
        *,
        c: float,
        rho: float,
        velocity: complex | None = None,
        acceleration: complex | None = None,
        symmetry: str = mirror_symmetry.NONE,
        device_interface: str | None = None,
        precision: str | None = None,
    ) -> None:
        bempp = bempp_api()
        self.bempp = bempp
        self.interface = device_interface or bempp.DEFAULT_DEVICE_INTERFACE
        options = {"device_interface": device_interface, "precision": precision}
        with warnings.catch_warnings():
            _quiet_library_warnings()
            self.spaces = _Spaces(bempp, grid, symmetry, options)
        self.source_vertices, self.source_weights = _source_mean_weights(grid)
        super().__init__(
            frequencies,
            points,
            c=c,
            rho=rho,
            velocity=velocity,
            acceleration=acceleration,
            unknowns=self.spaces.unknowns,
        )

    def solve(self, i: int) -> Solved:
        """Solve the ``i``-th frequency of the sweep."""
        with warnings.catch_warnings():
            _quiet_library_warnings()
            started = time.perf_counter()
            f = self.frequencies[i]
            omega = 2 * np.pi * f
            k = omega / self.c
            spaces = self.spaces
            g = self.bempp.GridFunction(spaces.source, coefficients=1j * omega * self.rho * self.v_n[i] * spaces.ones)
            pressure, count = spaces.solve(k, g, f)
            self.field[i] = spaces.field(k, pressure, g, self.points)
            surface = vertex_values(spaces.p1, pressure.coefficients)
            self.throat[i] = np.sum(self.source_weights * surface[self.source_vertices].mean(axis=0))
        _warm.add(self.interface)
        return self.record(i, started, int(count))


class _Spaces:
    """The function spaces of one grid and the Burton–Miller solve on them, whole or folded by symmetry.

    The system is assembled densely in any case (bempp-cl's dense assembler), so it is solved as a matrix:
    rows A (test dofs × surface dofs), folded to A F under a symmetry, with the identity terms added as
    mass matrices (``mass``), and GMRES in double precision whatever the assembly precision.
    """

    def __init__(self, bempp: Any, grid: Grid, symmetry: str, options: dict[str, str | None]) -> None:
        """``options`` (device_interface, precision) go to every operator; None values keep bempp-cl's defaults."""
        self.bempp = bempp
        self.options = options
        self.p1 = bempp.function_space(grid, "P", 1)
        self.source = bempp.function_space(grid, "DP", 0, segments=[SOURCE])
        self.ones = np.ones(self.source.global_dof_count, dtype=np.complex128)
        self.fold = None
        self.test = self.p1
        if symmetry != mirror_symmetry.NONE:
            vertices, elements = np.asarray(grid.vertices).T, np.asarray(grid.elements).T
            part = np.flatnonzero(mirror_symmetry.part_elements(vertices, elements, symmetry))
            self.test = bempp.function_space(grid, "P", 1, support_elements=part, include_boundary_dofs=True)
            self.fold = mirror_symmetry.fold_matrix(self.test, self.p1, symmetry)
        self.unknowns = int(self.test.global_dof_count)
        self.mass_p = mass_matrix(self.p1, self.test)
        self.mass_g = mass_matrix(self.source, self.test)

    def solve(self, k: float, g: Any, f: float) -> tuple[Any, int]:
        """Surface pressure (P1 on the whole grid) and the GMRES iteration count at wavenumber ``k``.

        (½I − K + ηW) p = −V g − η(½I + K′) g, η = i/k, tested against the test space.
        """
        from bempp_cl.api.operators import boundary
        from scipy.sparse.linalg import gmres

        eta = 1j / k
        test, options, helmholtz = self.test, self.options, boundary.helmholtz

        def dense(operator: Any) -> np.ndarray:
            return np.asarray(operator.weak_form().to_dense(), dtype=np.complex128)

        rows = eta * dense(helmholtz.hypersingular(self.p1, test, test, k, **options))
        rows -= dense(helmholtz.double_layer(self.p1, test, test, k, **options))
        rows += 0.5 * self.mass_p.toarray()
        source = dense(helmholtz.single_layer(self.source, test, test, k, **options))
        source += eta * (
            0.5 * self.mass_g.toarray() + dense(helmholtz.adjoint_double_layer(self.source, test, test, k, **options))
        )
        rhs = -(source @ g.coefficients)
        system = rows if self.fold is None else np.asarray((self.fold.T @ rows.T).T)
        count = 0

        def counted(_: Any) -> None:
            nonlocal count
            count += 1

        solution, info = gmres(system, rhs, rtol=GMRES_TOLERANCE, callback=counted, callback_type="pr_norm")
        if info != 0:
            raise RuntimeError(f"GMRES did not converge at {f:.6g} Hz (info {info})")
        coefficients = solution if self.fold is None else self.fold @ solution
        return self.bempp.GridFunction(self.p1, coefficients=coefficients), count

    def field(self, k: float, pressure: Any, g: Any, points: np.ndarray) -> np.ndarray:
        """p(x) = D[p](x) − S[g](x) at the observation points."""
        from bempp_cl.api.operators import potential

        double = potential.helmholtz.double_layer(self.p1, points, k, **self.options)
        single = potential.helmholtz.single_layer(self.source, points, k, **self.options)
        return (double.evaluate(pressure) - single.evaluate(g))[0]
