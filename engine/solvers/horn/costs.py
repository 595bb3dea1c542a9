"""What a horn job costs on this machine: seconds per frequency, per band and per job, fitted from finished jobs.

A dense BEM frequency assembles every matrix entry (test dofs × surface dofs) and solves the system, so its
time is modelled as ``base + scale · work^power`` with ``work`` the dense entries in millions: N² for a whole
model, N·N/4 for a quarter's rows against the whole surface, N² for an axisymmetric outline of N elements. The
power is 1 (time ∝ N²) unless the finished jobs span enough sizes to fit it. A band starts with a fixed part
plus a part per triangle: meshing, and the kernel build its first frequency pays for a new mesh. A job adds a
fixed start and finish, and a fresh worker builds or compiles its kernels once.

Each method and backend has its own figures: built-in ones measured on a 2-core machine, replaced by a fit
as soon as this HORNQ_HOME has finished jobs of that kind. Pure Python: the CLI and the app call it.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.solvers.horn.symmetry import PARTS

#: A part's test space includes the dofs on its cut (about this many × √triangles per symmetry plane).
CUT_DOFS = 0.4
#: Fewest finished frequencies before a fit replaces the built-in scale, and the spread of sizes (largest over
#: smallest work) needed to fit the power as well.
MIN_POINTS = 3
POWER_SPREAD = 4.0
#: Powers of the work (N^(2·power)) tried by the fit: from N¹ (overheads) to N³ (a direct solve).
POWERS = tuple(round(0.5 + 0.01 * i, 2) for i in range(101))
Key = tuple[str, str, str]  # method, backend, precision


@dataclass(frozen=True)
class Curve:
    """Seconds per frequency: ``base + scale · work^power``, work in millions of dense matrix entries."""

    base: float
    scale: float
    power: float

    def seconds(self, work: float) -> float:
        return self.base + self.scale * work**self.power


@dataclass(frozen=True)
class Costs:
    """One method and backend on this machine; ``jobs`` finished jobs measured it (0: built-in figures)."""

    frequency: Curve
    band_base: float  # seconds to start a band (mesh it, build its kernels), plus band_per_triangle per triangle
    band_per_triangle: float
    job: float  # seconds a job spends outside its bands in a warm worker: start, post-processing, storing
    cold: float  # extra seconds in a fresh worker: imports and the kernel build or compilation
    jobs: int = 0

    def as_json(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "frequency": dataclasses.asdict(self.frequency)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Costs:
        return cls(**{**data, "frequency": Curve(**data["frequency"])})


#: Measured on a 2-core machine (bench/README.md and calibration jobs): OpenCL 7.2 s warm at 2,048 triangles
#: and 6.1 s for a quarter of 6,256, a band's start (meshing, grid and spaces) 0.7 s at 6,400 triangles and 1.7 s
#: at 27,000, 20 s cold; numba about 19 s at 2,000 triangles and 2.5 minutes of compilation; the axisymmetric
#: method 40 frequencies to 20 kHz in 2 s, 5 s more when its kernels compile.
BUILTIN: dict[Key, Costs] = {
    ("3d", "opencl", "single"): Costs(Curve(0.63, 2.0, 1.0), 0.4, 5e-5, 1.0, 10.0),
    ("3d", "opencl", "double"): Costs(Curve(0.8, 4.0, 1.0), 0.4, 5e-5, 1.0, 12.0),
    ("3d", "numba", "double"): Costs(Curve(1.0, 18.0, 1.0), 1.0, 1e-4, 1.0, 150.0),
    ("3d", "numba", "single"): Costs(Curve(1.0, 18.0, 1.0), 1.0, 1e-4, 1.0, 150.0),
    ("axisymmetric", "numba", "double"): Costs(Curve(0.01, 0.25, 1.0), 0.0, 0.0, 0.5, 4.0),
}


@dataclass(frozen=True)
class BandRun:
    """One band of a finished job: its work per frequency, triangles (3-D), seconds, and each frequency's solve."""

    work: float
    triangles: int
    seconds: float
    solves: tuple[float, ...]


@dataclass(frozen=True)
class Run:
    """A finished horn job as the fit reads it; ``seconds`` its whole run time (None when unknown)."""

    key: Key
    cold: bool
    seconds: float | None
    bands: tuple[BandRun, ...]


def surface_unknowns(triangles: int, symmetry: str) -> int:
    """The rows of a 3-D model's system: a closed surface has about half as many nodes (P1 dofs) as triangles, a
    half or quarter model holds that share of them plus the dofs on its cuts (about CUT_DOFS × √triangles each)."""
    parts = PARTS[symmetry]
    cut = CUT_DOFS * (parts.bit_length() - 1) * math.sqrt(triangles)
    return math.ceil(max(1, triangles // 2) / parts + cut)


def work(method: str, symmetry: str, unknowns: int) -> float:
    """Dense entries (millions) of one frequency's system: a part's rows against the whole surface."""
    parts = 1 if method == "axisymmetric" else PARTS.get(symmetry, 1)
    return parts * unknowns * unknowns / 1e6


def builtin(key: Key) -> Costs:
    """The built-in figures of a method and backend (the nearest known one for another precision)."""
    if key in BUILTIN:
        return BUILTIN[key]
    same = [k for k in BUILTIN if k[:2] == key[:2]] or [k for k in BUILTIN if k[0] == key[0]]
    return BUILTIN[same[0]] if same else BUILTIN[("3d", "numba", "double")]


def read_run(record: Mapping[str, Any]) -> Run | None:
    """A finished job's record (``{"results": {"frequencies_hz", "metadata"}, "seconds"}``) as a Run, or None when
    its results say too little (jobs from before per-band figures were stored)."""
    results = record.get("results") or {}
    metadata = results.get("metadata") or {}
    solver = metadata.get("solver") or {}
    bands = solver.get("bands") or []
    frequencies = results.get("frequencies_hz") or []
    solves = metadata.get("solve_seconds") or []
    if not bands or len(solves) != len(frequencies) or not solver.get("backend"):
        return None
    method = solver.get("method", "3d")
    key = (method, solver["backend"], solver.get("precision", "double"))
    runs = []
    for band in bands:
        low, high = band["f_low_hz"] * (1 - 1e-9), band["f_high_hz"] * (1 + 1e-9)
        own = tuple(s for f, s in zip(frequencies, solves, strict=True) if low <= f <= high)
        if not own or not band.get("unknowns"):
            return None
        amount = work(method, solver.get("symmetry", "none"), int(band["unknowns"]))
        runs.append(BandRun(amount, int(band.get("triangles") or 0), float(band["seconds"]), own))
    cold = bool((metadata.get("mesh") or {}).get("compiled_in_this_job"))
    seconds = record.get("seconds")
    return Run(key, cold, None if seconds is None else float(seconds), tuple(runs))


def model(records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The fitted costs of every method and backend as JSON (``"3d/opencl/single": {...}``): what the engine hands
    a worker so that a running job can tell how long it has left."""
    return {"/".join(key): costs.as_json() for key, costs in fit(records).items()}


def from_model(document: Mapping[str, Any] | None, key: Key) -> Costs:
    """One method and backend's costs from ``model``'s document, or the built-in figures where it has none."""
    found = (document or {}).get("/".join(key))
    return Costs.from_json(found) if found else builtin(key)


def fit(records: Iterable[Mapping[str, Any]]) -> dict[Key, Costs]:
    """The costs of each method and backend the records measured; the others keep their built-in figures."""
    runs: dict[Key, list[Run]] = {}
    for record in records:
        run = read_run(record)
        if run is not None:
            runs.setdefault(run.key, []).append(run)
    fitted = dict(BUILTIN)
    for key, measured in runs.items():
        fitted[key] = fit_runs(builtin(key), measured)
    return fitted


def fit_runs(prior: Costs, runs: Sequence[Run]) -> Costs:
    """Figures fitted from one method and backend's runs, starting from ``prior`` where they say too little.

    A band's first frequency also builds the kernels for its mesh (and, in a fresh worker's first band, compiles
    them): in each band the frequency furthest above the prior curve is left out of the curve's fit. What a band
    took beyond its frequencies on the curve is its start (meshing and kernel build), fitted against its
    triangles; the cold run's largest band start, beyond what the fit gives it, counts towards ``cold``.
    """
    points: list[tuple[float, float]] = []
    for run in runs:
        for band in run.bands:
            own = sorted(band.solves, key=lambda s: s - prior.frequency.seconds(band.work))
            points += [(band.work, s) for s in own[:-1]]
    curve = fit_curve(points, prior.frequency)
    starts = [
        [(band.triangles, band.seconds - len(band.solves) * curve.seconds(band.work)) for band in run.bands]
        for run in runs
    ]
    warm_starts = [start for run, own in zip(runs, starts, strict=True) for start in own if not run.cold]
    cold_starts = [sorted(own, key=lambda p: p[1])[:-1] for run, own in zip(runs, starts, strict=True) if run.cold]
    band_base, band_per_triangle = _fit_starts(warm_starts + [p for own in cold_starts for p in own], prior)
    warm = [_outside_bands(run) for run in runs if not run.cold]
    job = statistics.median([s for s in warm if s is not None] or [prior.job])
    cold_extra = [
        (outside - job) + (start[1] - band_base - band_per_triangle * start[0])
        for run, own in zip(runs, starts, strict=True)
        if run.cold and (outside := _outside_bands(run)) is not None
        for start in [max(own, key=lambda p: p[1])]
    ]
    cold = max(0.0, statistics.median(cold_extra)) if cold_extra else prior.cold
    return Costs(curve, band_base, band_per_triangle, max(0.0, job), cold, len(runs))


def fit_curve(points: Sequence[tuple[float, float]], prior: Curve) -> Curve:
    """``base + scale · work^power`` through (work, seconds) points, least squares in relative error.

    Too few points: the prior. Sizes spanning less than POWER_SPREAD: the prior's power, base and scale fitted
    (or the prior scaled, when all sizes are alike). Otherwise the power is fitted too.
    """
    if len(points) < MIN_POINTS:
        return prior
    works = [w for w, _ in points]
    spread = max(works) / max(min(works), 1e-12)
    if spread < 1.5:
        ratio = statistics.median(s / prior.seconds(w) for w, s in points)
        return Curve(prior.base * ratio, prior.scale * ratio, prior.power)
    powers = POWERS if spread >= POWER_SPREAD and len({round(w, 9) for w in works}) >= 3 else (prior.power,)
    best: tuple[float, Curve] | None = None
    for power in powers:
        curve = _linear_fit(points, power)
        if curve is None:
            continue
        error = sum((curve.seconds(w) / s - 1) ** 2 for w, s in points if s > 0)
        if best is None or error < best[0]:
            best = (error, curve)
    return prior if best is None else best[1]


def _linear_fit(points: Sequence[tuple[float, float]], power: float) -> Curve | None:
    """Base ≥ 0 and scale > 0 for a fixed power, each point weighted by 1/seconds (relative error)."""
    rows = [(1 / s, w**power / s, 1.0) for w, s in points if s > 0]
    if len(rows) < 2:
        return None
    a11 = sum(r[0] * r[0] for r in rows)
    a12 = sum(r[0] * r[1] for r in rows)
    a22 = sum(r[1] * r[1] for r in rows)
    b1 = sum(r[0] for r in rows)
    b2 = sum(r[1] for r in rows)
    determinant = a11 * a22 - a12 * a12
    if abs(determinant) > 1e-12 * max(a11 * a22, 1e-300):
        base = (b1 * a22 - b2 * a12) / determinant
        scale = (a11 * b2 - a12 * b1) / determinant
        if base >= 0 and scale > 0:
            return Curve(base, scale, power)
    scale = b2 / a22 if a22 > 0 else 0.0  # through the origin: the best fit with base 0
    return Curve(0.0, scale, power) if scale > 0 else None


def _fit_starts(starts: Sequence[tuple[int, float]], prior: Costs) -> tuple[float, float]:
    """Seconds to start a band, ``base + per_triangle · triangles``, from (triangles, seconds) of measured bands
    (an outline's have no triangles: a constant). A single one scales the prior's figures through it."""
    points = [(float(t), max(0.0, s)) for t, s in starts]
    if not points:
        return prior.band_base, prior.band_per_triangle
    if len(points) == 1:
        triangles, seconds = points[0]
        expected = prior.band_base + prior.band_per_triangle * triangles
        ratio = seconds / expected if expected > 0 else 1.0
        return prior.band_base * ratio, prior.band_per_triangle * ratio
    sizes = [t for t, _ in points]
    if max(sizes) < 1.5 * min(sizes) or min(sizes) == 0:
        mean = statistics.fmean(s for _, s in points)
        return mean, 0.0
    mean_t, mean_s = statistics.fmean(sizes), statistics.fmean(s for _, s in points)
    slope = sum((t - mean_t) * (s - mean_s) for t, s in points) / sum((t - mean_t) ** 2 for t in sizes)
    slope = max(0.0, slope)
    return max(0.0, mean_s - slope * mean_t), slope


def _outside_bands(run: Run) -> float | None:
    """Seconds of a run spent outside its bands: starting, post-processing, storing."""
    if run.seconds is None:
        return None
    return max(0.0, run.seconds - sum(band.seconds for band in run.bands))
