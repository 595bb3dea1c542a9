"""Before a horn job runs: its unknowns per band, its run time and peak memory, and how far up its mesh is valid.

The bands are the solver's own plans (``bands`` for a 3-D mesh, ``outline_bands`` for an outline), so the
estimate counts what the solve will count: a generated mesh's triangles and resolution as ``sizing`` predicts
gmsh's, P1 unknowns from them (``costs.surface_unknowns``), a user's mesh as read, an outline's elements (built
here, which is cheap). Seconds come from ``costs``: fitted from this HORNQ_HOME's finished jobs, else built-in
figures.

Memory: while a 3-D frequency is assembled the worker holds the accumulated system in double precision
(16 bytes per complex entry), the operator being assembled (8 bytes in single precision, 16 in double) and,
in single precision, its double copy: rows × columns of each. The axisymmetric method holds a few N × N
double matrices of ring integrals.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from engine.solvers.horn import bands as banding
from engine.solvers.horn import costs as costing
from engine.solvers.horn.config import HornConfig
from engine.solvers.horn.constants import INTERFACE, MIN_ELEMENTS_PER_WAVELENGTH
from engine.solvers.horn.progress import frequency_label
from engine.solvers.horn.sizing import estimated_resolution
from engine.solvers.horn.symmetry import PARTS
from engine.timing import approximate

#: Resident memory of a worker before its first operator: Python, numpy, bempp-cl, numba (and OpenCL).
WORKER_BYTES = {"3d": 500e6, "axisymmetric": 250e6}
#: N × N double complex matrices the axisymmetric assembly holds at once (operators and their parts).
AXISYMMETRIC_MATRICES = 6
#: Element sizes are rounded to microns: a band sized for its top frequency may come out this much short of it.
ROUNDING = 0.995
BUILTIN_NOTE = (
    "built-in figures for a 2-core machine; they sharpen as jobs finish (`hornq calibrate` measures this one in a "
    "minute or two)"
)


@dataclass(frozen=True)
class BandEstimate:
    """One band: its frequencies, mesh, unknowns (rows of its system), predicted seconds and peak memory."""

    f_low_hz: float
    f_high_hz: float
    frequencies: int
    triangles: int | None  # 3-D meshes; None for an outline
    elements: int | None  # outlines
    unknowns: int
    seconds: float
    memory_bytes: float
    resolved_to_hz: float  # the band's mesh has MIN_ELEMENTS_PER_WAVELENGTH up to here


@dataclass(frozen=True)
class Planned:
    """A band before costing: what the solver will mesh and solve."""

    frequencies: tuple[float, ...]
    triangles: int | None
    elements: int | None
    unknowns: int
    columns: int  # surface dofs each test row meets
    element_mm: float  # the size its resolution is measured by (``meshfile.resolution_size``)


def estimate(
    config: Mapping[str, Any], history: Iterable[Mapping[str, Any]] = (), *, available: int | None = None
) -> dict[str, Any]:
    """The estimate document of a normalised horn config (``hornq estimate --json`` prints it).

    ``history``: finished horn jobs, newest first, as ``{"results": {"frequencies_hz", "metadata"}, "seconds"}``;
    ``available``: the memory (bytes) to hold the job to, this machine's MemAvailable unless given.
    """
    records = list(history)
    cfg = HornConfig.from_dict(config)
    method = cfg.solver.method
    symmetry = "none" if method == "axisymmetric" else cfg.solver.symmetry
    backend, precision = _backend(cfg, records)
    key = (method, backend, precision)
    costs = costing.fit(records).get(key) or costing.builtin(key)
    planned = _outline_plan(cfg) if method == "axisymmetric" else _surface_plan(cfg, config.get("horn"), symmetry)
    entry = 16 if method == "axisymmetric" else (8 if precision == "single" else 16)
    bands = [_cost(band, method, symmetry, entry, costs, cfg) for band in planned]
    warm = costs.job + sum(band.seconds for band in bands)
    peak = max(band.memory_bytes for band in bands)
    resolved = _resolved_to(bands)
    available = memory_available() if available is None else available
    document = {
        "method": method,
        "backend": backend,
        "precision": precision,
        "symmetry": symmetry,
        "bands": [asdict(band) for band in bands],
        "unknowns": [min(b.unknowns for b in bands), max(b.unknowns for b in bands)],
        "seconds": {"warm": round(warm, 1), "cold": round(warm + costs.cold, 1)},
        "peak_memory_bytes": round(peak),
        "memory_available_bytes": available,
        "resolved_to_hz": round(resolved, 1),
        "elements_per_wavelength_at_f_max": round(_epw_at_top(bands), 2),
        "figures": {"source": "measured" if costs.jobs else "built-in", "jobs": costs.jobs},
        "warnings": _warnings(bands, cfg.sweep.f_max, resolved, available),
    }
    document["line"] = line(document)
    document["details"] = [_band_line(number, band) for number, band in enumerate(bands, start=1)]
    document["note"] = None if costs.jobs else BUILTIN_NOTE
    return document


def line(document: Mapping[str, Any]) -> str:
    """``3-D, opencl (single), quarter model, 4 bands, 169–720 unknowns: about 1.6 min (…)``: the one line."""
    count = len(document["bands"])
    low, high = document["unknowns"]
    what = "axisymmetric" if document["method"] == "axisymmetric" else "3-D"
    model = "" if document["symmetry"] == "none" else f", {document['symmetry']} model"
    unknowns = f"{low}" if low == high else f"{low}–{high}"
    seconds = document["seconds"]
    resolved = document["resolved_to_hz"]
    return (
        f"{what}, {document['backend']} ({document['precision']}){model}, {count} band{'s' if count != 1 else ''}, "
        f"{unknowns} unknowns: about {approximate(seconds['warm'])} "
        f"({approximate(seconds['cold'])} in a fresh worker), "
        f"peak memory {size(document['peak_memory_bytes'])}, mesh resolved up to {frequency_label(resolved)}"
    )


def _band_line(number: int, band: BandEstimate) -> str:
    mesh = f"{band.triangles} triangles" if band.triangles is not None else f"{band.elements} elements"
    span = frequency_label(band.f_low_hz)
    if band.f_high_hz > band.f_low_hz:
        span += f"–{frequency_label(band.f_high_hz)}"
    count = f"{band.frequencies} frequenc{'y' if band.frequencies == 1 else 'ies'}"
    return f"band {number}: {span}, {count}, {mesh}, {band.unknowns} unknowns, {approximate(band.seconds)}"


def size(count: float) -> str:
    """``350 MB`` or ``2.4 GB``."""
    return f"{count / 1e6:.0f} MB" if count < 1e9 else f"{count / 1e9:.1f} GB"


def memory_available() -> int | None:
    """MemAvailable from /proc/meminfo in bytes, or None where there is none."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for text in meminfo:
                if text.startswith("MemAvailable:"):
                    return int(text.split()[1]) * 1024
    except OSError:
        return None
    return None


def _backend(cfg: HornConfig, records: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
    """The backend and precision the worker will settle on: what the config names, else what this machine's last
    3-D job used, else OpenCL when its Python package is installed (the worker still proves it works)."""
    if cfg.solver.method == "axisymmetric":
        return "numba", "double"
    backend = cfg.solver.backend
    if backend == "auto":
        used = [
            solver["backend"]
            for record in records
            if (solver := ((record.get("results") or {}).get("metadata") or {}).get("solver"))
            and solver.get("method", "3d") == "3d"
            and solver.get("backend")
        ]
        backend = used[0] if used else ("opencl" if importlib.util.find_spec("pyopencl") else "numba")
    precision = cfg.solver.precision
    if precision == "auto":
        precision = "single" if backend == "opencl" else "double"
    return backend, precision


def _surface_plan(cfg: HornConfig, horn: Mapping[str, Any] | None, symmetry: str) -> list[Planned]:
    """The 3-D bands: the solver's plan for a generated mesh, or the user's mesh counted from its file."""
    parts = PARTS[symmetry]
    frequencies = cfg.sweep.frequencies()
    if cfg.mesh.file is not None or horn is None:
        return [_file_band(cfg, tuple(frequencies), parts)]
    planned = []
    for band in banding.sweep_plan(cfg, horn, frequencies):
        triangles = band.estimated_triangles
        unknowns = costing.surface_unknowns(triangles, symmetry)
        resolution = estimated_resolution(horn, band.throat_size, band.mouth_size, symmetry)
        planned.append(Planned(band.frequencies, triangles, None, unknowns, max(1, triangles // 2), resolution))
    return planned


def _file_band(cfg: HornConfig, frequencies: tuple[float, ...], parts: int) -> Planned:
    """A user's mesh: its triangles (the part the file holds, mirrored ``parts`` times), measured as the solver
    measures it."""
    import numpy as np

    from engine.solvers.horn.meshfile import read_triangles, resolution_size, surface_edges

    points, triangles, tags = read_triangles(Path(cfg.mesh.file or ""))
    surface = np.asarray(triangles)[np.asarray(tags) != INTERFACE]
    lengths, _ = surface_edges(np.asarray(points) * (cfg.mesh.scale or 1.0), surface)
    unknowns = len(np.unique(surface))
    return Planned(
        frequencies, len(surface) * parts, None, unknowns, unknowns * parts, 1000.0 * resolution_size(lengths)
    )


def _outline_plan(cfg: HornConfig) -> list[Planned]:
    """The axisymmetric bands: each band's outline built as the solver builds it, its elements counted."""
    from engine.solvers.horn.axisymmetric.generatrix import band_outline, outline_bands

    planned = []
    for band in outline_bands(cfg):
        outline = band_outline(cfg, band)
        elements = len(outline.tags)
        longest = 1000.0 * float(outline.lengths.max())
        planned.append(Planned(band.frequencies, None, elements, elements, elements, longest))
    return planned


def _cost(band: Planned, method: str, symmetry: str, entry: int, costs: costing.Costs, cfg: HornConfig) -> BandEstimate:
    amount = costing.work(method, symmetry, band.unknowns)
    seconds = len(band.frequencies) * costs.frequency.seconds(amount)
    seconds += costs.band_base + costs.band_per_triangle * (band.triangles or 0)
    if method == "axisymmetric":
        held = AXISYMMETRIC_MATRICES * 16 * band.unknowns * band.unknowns
    else:
        held = (16 + entry + (16 if entry != 16 else 0)) * band.unknowns * band.columns
    return BandEstimate(
        f_low_hz=min(band.frequencies),
        f_high_hz=max(band.frequencies),
        frequencies=len(band.frequencies),
        triangles=band.triangles,
        elements=band.elements,
        unknowns=band.unknowns,
        seconds=round(seconds, 2),
        memory_bytes=round(WORKER_BYTES[method] + held),
        resolved_to_hz=round(1000.0 * cfg.medium.c / (MIN_ELEMENTS_PER_WAVELENGTH * band.element_mm), 1),
    )


def _resolved_to(bands: Sequence[BandEstimate]) -> float:
    """Up to where every solved frequency is resolved: the first band whose mesh gives out below its top
    frequency ends it, else the top band's mesh does."""
    for band in bands:
        if band.resolved_to_hz < ROUNDING * band.f_high_hz:
            return band.resolved_to_hz
    return bands[-1].resolved_to_hz


def _epw_at_top(bands: Sequence[BandEstimate]) -> float:
    top = max(bands, key=lambda band: band.f_high_hz)
    return MIN_ELEMENTS_PER_WAVELENGTH * top.resolved_to_hz / top.f_high_hz


def _warnings(bands: Sequence[BandEstimate], f_max: float, resolved: float, available: int | None) -> list[str]:
    """Not refusals: the user may know better. Each names the frequency from which results stop being valid."""
    warnings = []
    if resolved < ROUNDING * f_max:
        warnings.append(
            f"the mesh has {MIN_ELEMENTS_PER_WAVELENGTH} elements per wavelength only up to "
            f"{frequency_label(resolved)}: results above it (to {frequency_label(f_max)}) are not reliable "
            f'(smaller elements, or mesh.size = "auto", fix it)'
        )
    if available is not None:
        over = [band for band in bands if band.memory_bytes > available]
        if over:
            band = over[0]
            warnings.append(
                f"the solve needs about {size(max(b.memory_bytes for b in over))} of memory from "
                f"{frequency_label(band.f_low_hz)} up, more than the {size(available)} available now: it may run "
                f"out of memory there"
            )
    return warnings
