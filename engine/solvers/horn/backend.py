"""Which bempp-cl backend a worker solves with: OpenCL on the CPU when it really works here, numba otherwise.

OpenCL through a CPU driver (pocl) assembles the dense operators about 2.5× faster than numba and builds its
kernels in seconds instead of numba's minutes of compilation. But a driver can be present and still fail on
this CPU (pocl from PyPI: "unknown target CPU 'generic'"), so the worker proves it once with a tiny real
assembly before trusting it, and falls back to numba, saying why, when it fails.

Precision: OpenCL solves in single precision. The dense operators and GMRES (tolerance 1e-6) then still
meet the analytic checks (pulsating sphere within 0.1 dB, cap on a rigid sphere within 0.15 dB, also at the
meshed sphere's interior resonance): the error is the mesh's, not the arithmetic's. numba keeps double
precision, where its single-precision kernels would gain nothing measurable.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass
from typing import Any

BACKENDS = ("auto", "opencl", "numba")
PRECISIONS = ("auto", "single", "double")
HOW_TO_GET_OPENCL = "install the pocl-opencl-icd package (Debian/Ubuntu) and pyopencl"

_probe: list[str | None] = []  # one entry once probed: None when OpenCL works, else why not


class BackendUnavailable(RuntimeError):
    """The backend a config asks for explicitly cannot run on this machine."""


@dataclass(frozen=True)
class Backend:
    interface: str  # "opencl" or "numba", bempp-cl's device interface
    precision: str  # "single" or "double"
    #: Why ``auto`` did not get OpenCL, for the job's log; None when it did (or when numba was asked for).
    fallback: str | None = None

    def describe(self) -> str:
        return f"{self.interface} ({self.precision} precision)"


def bempp_api() -> Any:
    """bempp-cl's API, imported without its import-time notice on stdout or its scipy deprecation warning."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import bempp_cl.api as bempp
    return bempp


def opencl_failure() -> str | None:
    """None when OpenCL assembles a real operator in this process, else the reason; probed once per worker."""
    if not _probe:
        _probe.append(_try_opencl())
    return _probe[0]


def _try_opencl() -> str | None:
    try:
        import pyopencl  # noqa: F401
    except ImportError:
        return "pyopencl is not installed"
    try:
        bempp = bempp_api()
        if not bempp.CPU_OPENCL_DRIVER_FOUND:
            return "no OpenCL CPU driver found"
        import numpy as np
        from bempp_cl.api.operators.boundary import helmholtz

        grid = bempp.shapes.regular_sphere(0)
        space = bempp.function_space(grid, "DP", 0)
        operator = helmholtz.single_layer(space, space, space, 1.0, device_interface="opencl", precision="single")
        if not np.all(np.isfinite(np.asarray(operator.weak_form().to_dense()))):
            return "the OpenCL test assembly gave non-finite values"
    except Exception as exc:  # any driver or build failure means: not here
        text = " ".join(str(exc).split())
        return f"{type(exc).__name__}: {text[:200]}"
    return None


def memoise_opencl_programs() -> None:
    """Build each of bempp-cl's OpenCL programs once per process instead of once per operator assembly.

    bempp-cl calls ``build_program`` for every operator it assembles, with options that name the kernel,
    spaces and precision but never the wavenumber; building (even from pocl's on-disk cache) cost about a
    third of each frequency's time on a 1,000-triangle horn here. Same options, same program: cache it.
    """
    from bempp_cl.core import opencl_kernels

    build = opencl_kernels.build_program
    if getattr(build, "memoised", False):
        return
    programs: dict[tuple[Any, ...], Any] = {}

    def build_program(assembly_function: str, options: dict[str, Any], precision: str, device_type: str = "cpu") -> Any:
        key = (assembly_function, tuple(sorted((k, str(v)) for k, v in options.items())), precision, device_type)
        if key not in programs:
            programs[key] = build(assembly_function, options, precision, device_type)
        return programs[key]

    build_program.memoised = True  # type: ignore[attr-defined]
    opencl_kernels.build_program = build_program


def choose(backend: str = "auto", precision: str = "auto") -> Backend:
    """The backend to solve with, as ``[solver] backend`` and ``precision`` ask; raises BackendUnavailable when
    OpenCL is asked for by name and does not work here."""
    if backend == "numba":
        return Backend("numba", "double" if precision == "auto" else precision)
    failure = opencl_failure()
    if failure is None:
        memoise_opencl_programs()
        return Backend("opencl", "single" if precision == "auto" else precision)
    if backend == "opencl":
        raise BackendUnavailable(
            f'solver.backend = "opencl", but OpenCL does not work here: {failure} ({HOW_TO_GET_OPENCL})'
        )
    return Backend(
        "numba",
        "double" if precision == "auto" else precision,
        fallback=f"OpenCL unavailable ({failure}); solving with numba, which is slower ({HOW_TO_GET_OPENCL})",
    )
