"""One horn job solved by the axisymmetric method: outline, sweep, results in the 3-D method's shape.

An outline is cheap (tens to hundreds of line elements), so each band of the sweep gets one with several times
the configured elements per wavelength at its top frequency (``generatrix.outline_sizes``), whatever sizes the
config gives for the 3-D mesh. The mesh artifact is the finest outline as line elements, a file the method takes
back as a user's profile.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.solvers import SolverContext, SolverOutput
from engine.solvers.horn import MESH_ARTIFACT, post, progress, streaming
from engine.solvers.horn import costs as costing
from engine.solvers.horn.axisymmetric import bem
from engine.solvers.horn.axisymmetric.generatrix import Generatrix, band_outline, outline_bands, write_outline
from engine.solvers.horn.config import HornConfig
from engine.solvers.horn.remaining import Remaining
from engine.solvers.horn.sweep import Solved

METHOD = "axisymmetric"
FORMULATION = "burton-miller"
OUTLINE_SHARE = 0.02  # progress given to building the outline; the sweep takes the rest up to POST_AT
POST_AT = 0.98


def solve(cfg: HornConfig, ctx: SolverContext) -> SolverOutput:
    """The whole job, from the config to the results and the finest outline as the artifact."""
    ctx.progress(0.0, "meshing", "building the outline")
    ctx.log(f"solver: {METHOD}, numba (double), {FORMULATION}")
    frequencies = cfg.sweep.frequencies()
    obs = cfg.observation
    points = post.observation_points(obs.distance, obs.angles, obs.planes)
    cold = not bem.is_warm()
    plan = outline_bands(cfg)
    outlines = [band_outline(cfg, band) for band in plan]
    sizes = [(len(band.frequencies), len(outline.tags), 0) for band, outline in zip(plan, outlines, strict=True)]
    clock = Remaining(costing.from_model(ctx.cost_model, (METHOD, "numba", "double")), METHOD, "none", sizes, cold=cold)
    total = len(frequencies)
    bands: dict[int, _Band] = {}

    def prepare(b: int) -> bem.Sweep:
        band, started, outline = plan[b], time.perf_counter(), outlines[b]
        f_high = band.frequencies[-1]
        epw = cfg.medium.c / (f_high * float(outline.lengths.max()))
        ctx.log(
            f"band {b + 1}/{len(plan)}: {progress.band_span(band.frequencies)}, {len(outline.tags)} elements, "
            f"{epw:.1f} elements per wavelength at {f_high:g} Hz"
        )
        sweep = bem.Sweep(
            outline,
            band.frequencies,
            points,
            c=cfg.medium.c,
            rho=cfg.medium.rho,
            velocity=cfg.drive.velocity,
            acceleration=cfg.drive.acceleration,
        )
        log = progress.frequency_logger(ctx, f"axisymmetric band {b + 1}/{len(plan)}")
        bands[b] = _Band(band.frequencies, outline, epw, log, time.perf_counter() - started)
        clock.prepared(b, len(outline.tags), 0)
        return sweep

    def after(b: int, solved: Solved) -> None:
        clock.solved(b)
        bands[b].seconds += solved.seconds
        bands[b].log(solved)

    def document(sweeps: dict[int, Any]) -> dict[str, Any]:
        return _results(ctx.job_id, cfg, cold, len(plan), [(bands[b], sweeps[b]) for b in sorted(sweeps)])

    report = _reporter(ctx, total)
    sweeps = streaming.solve_bands(
        [band.frequencies for band in plan],
        prepare,
        ctx,
        before=lambda count, _b, f: report(count, f, clock.seconds()),
        after=after,
        document=document,
    )
    ctx.progress(POST_AT, "post", "post-processing", clock.seconds())
    results = document(sweeps)
    mesh_path = ctx.workdir / MESH_ARTIFACT
    write_outline(_finest([bands[b] for b in sorted(bands)]).outline, mesh_path)
    return SolverOutput(results=results, artifacts={MESH_ARTIFACT: mesh_path.read_text(encoding="utf-8")})


@dataclass
class _Band:
    """A band as prepared for its frequencies: its outline, how well that resolves it, and its cost so far."""

    frequencies: tuple[float, ...]
    outline: Generatrix
    epw: float
    log: Callable[[Solved], None]
    seconds: float


def _finest(bands: list[_Band]) -> _Band:
    """The band with the most elements (the first such): its outline limits the results' validity."""
    finest = bands[0]
    for band in bands[1:]:
        if len(band.outline.tags) > len(finest.outline.tags):
            finest = band
    return finest


def _results(
    job_id: str, cfg: HornConfig, cold: bool, band_count: int, solved: list[tuple[_Band, bem.Sweep]]
) -> dict[str, Any]:
    """The results of the bands prepared so far (in band order) with the frequencies they have solved."""
    results = [sweep.result() for _, sweep in solved]
    band_meta = [
        {
            "f_low_hz": band.frequencies[0],
            "f_high_hz": band.frequencies[-1],
            "frequencies": len(band.frequencies),
            "elements": len(band.outline.tags),
            "unknowns": result.unknowns,
            "elements_per_wavelength": round(band.epw, 3),
            "seconds": round(band.seconds, 3),
        }
        for (band, _), result in zip(solved, results, strict=True)
    ]
    finest = _finest([band for band, _ in solved])
    outline = finest.outline
    solver_meta = {
        "method": METHOD,
        "backend": "numba",
        "precision": "double",
        "symmetry": "none",
        "formulation": FORMULATION,
        "banded": band_count > 1,
        "bands": band_meta,
    }
    mesh_meta = {
        "elements": len(outline.tags),
        "nodes": len(outline.nodes),
        "dofs": len(outline.tags),
        "h_min_m": float(outline.lengths.min()),
        "h_max_m": float(outline.lengths.max()),
        "elements_per_wavelength": finest.epw,
        "elements_per_wavelength_target": cfg.mesh.elements_per_wavelength,
        "source": cfg.formula_type,
        "compiled_in_this_job": cold,
    }
    return post.job_results(job_id, cfg, results, mesh_meta=mesh_meta, solver_meta=solver_meta)


def _reporter(ctx: SolverContext, total: int) -> Callable[[int, float, float | None], None]:
    """Progress before each frequency (``count`` solved so far, the seconds left): "compiling" while a fresh worker
    loads (or first compiles) the kernels."""

    def on_frequency(count: int, f: float, remaining: float | None) -> None:
        fraction = OUTLINE_SHARE + (POST_AT - OUTLINE_SHARE) * count / total
        if not bem.is_warm():
            ctx.progress(fraction, "compiling", "loading the axisymmetric kernels")
        else:
            message = f"Solving {count + 1}/{total} at {progress.frequency_label(f)} ({METHOD})"
            ctx.progress(fraction, "bem_solve", message, remaining)

    return on_frequency
