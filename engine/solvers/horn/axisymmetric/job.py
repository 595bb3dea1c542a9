"""One horn job solved by the axisymmetric method: outline, sweep, results in the 3-D method's shape.

An outline is cheap (tens to hundreds of line elements), so each band of the sweep gets one with several times
the configured elements per wavelength at its top frequency (``generatrix.outline_sizes``), whatever sizes the
config gives for the 3-D mesh. The mesh artifact is the finest outline as line elements, a file the method takes
back as a user's profile.
"""

from __future__ import annotations

import time
from typing import Any

from engine.solvers import Cancelled, SolverContext, SolverOutput
from engine.solvers.horn import MESH_ARTIFACT, post, progress
from engine.solvers.horn.axisymmetric import bem
from engine.solvers.horn.axisymmetric.generatrix import band_outline, outline_bands, write_outline
from engine.solvers.horn.config import HornConfig
from engine.solvers.horn.sweep import joined

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
    total, done = len(frequencies), 0
    sweeps, band_meta, finest = [], [], None
    for index, band in enumerate(plan):
        started = time.perf_counter()
        outline = band_outline(cfg, band)
        f_high = band.frequencies[-1]
        epw = cfg.medium.c / (f_high * float(outline.lengths.max()))
        ctx.log(
            f"band {index + 1}/{len(plan)}: {progress.band_span(band.frequencies)}, {len(outline.tags)} elements, "
            f"{epw:.1f} elements per wavelength at {f_high:g} Hz"
        )
        if ctx.should_stop():
            raise Cancelled
        sweep = bem.solve_sweep(
            outline,
            band.frequencies,
            points,
            c=cfg.medium.c,
            rho=cfg.medium.rho,
            velocity=cfg.drive.velocity,
            acceleration=cfg.drive.acceleration,
            on_frequency=_reporter(ctx, done, total),
            on_solved=progress.frequency_logger(ctx, f"axisymmetric band {index + 1}/{len(plan)}"),
            should_stop=ctx.should_stop,
        )
        done += len(band.frequencies)
        sweeps.append(sweep)
        band_meta.append(
            {
                "f_low_hz": band.frequencies[0],
                "f_high_hz": f_high,
                "frequencies": len(band.frequencies),
                "elements": len(outline.tags),
                "unknowns": sweep.unknowns,
                "elements_per_wavelength": round(epw, 3),
                "seconds": round(time.perf_counter() - started, 3),
            }
        )
        if finest is None or len(outline.tags) > len(finest[0].tags):
            finest = (outline, epw)
    ctx.progress(POST_AT, "post", "post-processing")
    outline, epw = finest
    mesh_path = ctx.workdir / MESH_ARTIFACT
    write_outline(outline, mesh_path)
    solver_meta = {
        "method": METHOD,
        "backend": "numba",
        "precision": "double",
        "symmetry": "none",
        "formulation": FORMULATION,
        "banded": len(plan) > 1,
        "bands": band_meta,
    }
    mesh_meta = {
        "elements": len(outline.tags),
        "nodes": len(outline.nodes),
        "dofs": len(outline.tags),
        "h_min_m": float(outline.lengths.min()),
        "h_max_m": float(outline.lengths.max()),
        "elements_per_wavelength": epw,
        "elements_per_wavelength_target": cfg.mesh.elements_per_wavelength,
        "source": cfg.formula_type,
        "compiled_in_this_job": cold,
    }
    results = post.build_results(
        ctx.job_id,
        joined(sweeps),
        distance_m=obs.distance,
        angles_deg=obs.angles,
        planes=obs.planes,
        normalize_angle=obs.normalize_angle,
        c=cfg.medium.c,
        rho=cfg.medium.rho,
        mesh_meta=mesh_meta,
        solver_meta=solver_meta,
    )
    return SolverOutput(results=results, artifacts={MESH_ARTIFACT: mesh_path.read_text(encoding="utf-8")})


def _reporter(ctx: SolverContext, done: int, total: int) -> Any:
    """Progress before each frequency: "compiling" while a fresh worker loads (or first compiles) the kernels."""

    def on_frequency(i: int, n: int, f: float) -> None:
        fraction = OUTLINE_SHARE + (POST_AT - OUTLINE_SHARE) * (done + i) / total
        if not bem.is_warm():
            ctx.progress(fraction, "compiling", "loading the axisymmetric kernels")
        else:
            position = f"{done + i + 1}/{total}"
            ctx.progress(fraction, "bem_solve", f"Solving {position} at {progress.frequency_label(f)} ({METHOD})")

    return on_frequency
