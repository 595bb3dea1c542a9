"""One horn job from config to results, with the stages a user watches: meshing, compiling, bem_solve, post.

The sweep is solved in bands: each band of frequencies on the coarsest mesh that still resolves it (``bands``),
each mesh mirror-symmetric when the horn allows a half or quarter model (``symmetry``), on the backend the worker
proved it can run (``backend``). The frequencies come in ``streaming`` order across the bands (ends first, then
bisection), each band meshed when its first one comes; the results so far go to the context as partial results
after each. The stored mesh artifact is the finest band's.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.solvers import SolverContext, SolverOutput
from engine.solvers.horn import MESH_ARTIFACT, bem, post, progress, streaming
from engine.solvers.horn import bands as banding
from engine.solvers.horn import costs as costing
from engine.solvers.horn.axisymmetric import job as axisymmetric
from engine.solvers.horn.backend import Backend, choose
from engine.solvers.horn.config import HornConfig
from engine.solvers.horn.constants import MIN_ELEMENTS_PER_WAVELENGTH
from engine.solvers.horn.mesh import MeshInfo, build_mesh
from engine.solvers.horn.remaining import Remaining
from engine.solvers.horn.sweep import Solved

MESH_SHARE = 0.05  # progress given to meshing the first band; the sweep takes the rest up to POST_AT
POST_AT = 0.98
FORMULATION = "burton-miller"


def solve(config: dict[str, Any], ctx: SolverContext) -> SolverOutput:
    cfg = HornConfig.from_dict(config)
    if cfg.solver.method == axisymmetric.METHOD:
        return axisymmetric.solve(cfg, ctx)
    ctx.progress(0.0, "meshing", "checking the solver backend")
    backend = choose(cfg.solver.backend, cfg.solver.precision)
    if backend.fallback:
        ctx.log(backend.fallback)
    symmetry = cfg.solver.symmetry
    ctx.log(f"solver: {backend.describe()}, symmetry {symmetry}, {FORMULATION}")
    frequencies = cfg.sweep.frequencies()
    plan = banding.sweep_plan(cfg, config.get("horn"), frequencies)
    cold = not bem.is_warm(backend.interface)
    clock = _clock(cfg, ctx, backend, symmetry, plan, cold)
    obs = cfg.observation
    points = post.observation_points(obs.distance, obs.angles, obs.planes)
    total = len(frequencies)
    bands: dict[int, _Band] = {}

    def prepare(b: int) -> bem.Sweep:
        band, started = plan[b], time.perf_counter()
        mesh_path = ctx.workdir / f"mesh-band{band.index}.msh"
        solved = sum(prepared.solved for prepared in bands.values())
        ctx.progress(_fraction(solved, total), "meshing", f"meshing band {b + 1}/{len(plan)}", clock.seconds())
        info = _mesh(cfg, band, mesh_path, symmetry)
        epw = cfg.medium.c / (band.f_high * info.h_rms)
        ctx.log(
            f"band {band.index + 1}/{len(plan)}: {progress.band_span(band.frequencies)}, "
            f"{info.triangles} triangles, {info.nodes} nodes, "
            f"{epw:.1f} elements per wavelength at {band.f_high:g} Hz"
        )
        sweep = bem.Sweep(
            bem.load_grid(mesh_path, info.scale),
            band.frequencies,
            points,
            c=cfg.medium.c,
            rho=cfg.medium.rho,
            velocity=cfg.drive.velocity,
            acceleration=cfg.drive.acceleration,
            symmetry=symmetry,
            device_interface=backend.interface,
            precision=backend.precision,
        )
        log = progress.frequency_logger(ctx, f"band {band.index + 1}/{len(plan)}")
        bands[b] = _Band(band, info, mesh_path, epw, log, time.perf_counter() - started)
        clock.prepared(b, sweep.unknowns, info.triangles)
        return sweep

    def after(b: int, solved: Solved) -> None:
        clock.solved(b)
        bands[b].solved += 1
        bands[b].seconds += solved.seconds
        bands[b].log(solved)

    def document(sweeps: dict[int, Any]) -> dict[str, Any]:
        return _results(ctx.job_id, cfg, backend, symmetry, cold, [(bands[b], sweeps[b]) for b in sorted(sweeps)])

    def before(count: int, b: int, f: float) -> None:
        report(count, f, bands[b].epw, clock.seconds())

    report = _reporter(ctx, total, backend, symmetry)
    sweeps = streaming.solve_bands(
        [band.frequencies for band in plan], prepare, ctx, before=before, after=after, document=document
    )
    ctx.progress(POST_AT, "post", "post-processing", clock.seconds())
    results = document(sweeps)
    in_order = [bands[b] for b in sorted(bands)]
    band_meshes = {
        f"mesh-band{band.band.index + 1}.msh": band.mesh_path.read_text(encoding="utf-8")
        for band in in_order
        if cfg.mesh.keep_band_meshes
    }
    mesh_path = _finest(in_order).mesh_path
    return SolverOutput(
        results=results, artifacts={MESH_ARTIFACT: mesh_path.read_text(encoding="utf-8"), **band_meshes}
    )


@dataclass
class _Band:
    """A band as prepared for its frequencies: its mesh, how well that resolves it, and its cost so far."""

    band: banding.Band
    info: MeshInfo
    mesh_path: Path
    epw: float
    log: Callable[[Solved], None]
    seconds: float
    solved: int = 0


def _finest(bands: list[_Band]) -> _Band:
    """The band with the most triangles (the first such): its mesh limits the results' validity."""
    finest = bands[0]
    for band in bands[1:]:
        if band.info.triangles > finest.info.triangles:
            finest = band
    return finest


def _results(
    job_id: str,
    cfg: HornConfig,
    backend: Backend,
    symmetry: str,
    cold: bool,
    solved: list[tuple[_Band, bem.Sweep]],
) -> dict[str, Any]:
    """The results of the bands prepared so far (in band order) with the frequencies they have solved."""
    results = [sweep.result() for _, sweep in solved]
    band_meta = [
        {
            "f_low_hz": band.band.f_low,
            "f_high_hz": band.band.f_high,
            "frequencies": len(band.band.frequencies),
            "triangles": band.info.triangles,
            "unknowns": result.unknowns,
            "elements_per_wavelength": round(band.epw, 3),
            "seconds": round(band.seconds, 3),
        }
        for (band, _), result in zip(solved, results, strict=True)
    ]
    finest = _finest([band for band, _ in solved])
    solver_meta = {
        "backend": backend.interface,
        "precision": backend.precision,
        "symmetry": symmetry,
        "method": "3d",
        "formulation": FORMULATION,
        "banded": cfg.mesh.banded,
        "bands": band_meta,
    }
    mesh_meta = _mesh_meta(cfg, finest.info, finest.epw, cold)
    return post.job_results(job_id, cfg, results, mesh_meta=mesh_meta, solver_meta=solver_meta)


def _mesh(cfg: HornConfig, band: banding.Band, path: Path, symmetry: str) -> MeshInfo:
    """The band's mesh (a user's mesh is the only band's), written to ``path`` in metres."""
    if cfg.mesh.file is not None:
        return build_mesh(cfg, path, symmetry=symmetry)
    sized = dataclasses.replace(cfg.mesh, throat_size=band.throat_size, mouth_size=band.mouth_size)
    return build_mesh(dataclasses.replace(cfg, mesh=sized), path, symmetry=symmetry)


def _fraction(done: int, total: int) -> float:
    return MESH_SHARE + (POST_AT - MESH_SHARE) * done / total


def _clock(
    cfg: HornConfig, ctx: SolverContext, backend: Backend, symmetry: str, plan: list[banding.Band], cold: bool
) -> Remaining:
    """The job's remaining time, priced by this machine's figures for the backend the worker settled on; a
    user's mesh is sized once it is read (its band is meshed before anything is solved)."""
    costs = costing.from_model(ctx.cost_model, ("3d", backend.interface, backend.precision))
    sizes = [
        (len(band.frequencies), _unknowns(band.estimated_triangles, symmetry), band.estimated_triangles)
        for band in plan
    ]
    return Remaining(costs, "3d", symmetry, sizes, cold=cold)


def _unknowns(triangles: int, symmetry: str) -> int:
    return costing.surface_unknowns(triangles, symmetry) if triangles else 0


def _reporter(
    ctx: SolverContext, total: int, backend: Backend, symmetry: str
) -> Callable[[int, float, float, float | None], None]:
    """Progress before each frequency (``count`` solved so far, its band's elements per wavelength, the seconds
    left): "compiling" while the worker's first assembly builds its kernels."""
    how = backend.interface if symmetry == "none" else f"{backend.interface}, {symmetry}"

    def on_frequency(count: int, f: float, epw: float, remaining: float | None) -> None:
        note = f" (coarse mesh: {epw:.1f} elements/λ)" if epw < MIN_ELEMENTS_PER_WAVELENGTH else ""
        fraction = _fraction(count, total)
        if not bem.is_warm(backend.interface):
            ctx.progress(fraction, "compiling", f"building the {backend.interface} kernels" + note)
        else:
            label = progress.frequency_label(f)
            message = f"Solving {count + 1}/{total} at {label} ({how})" + note
            ctx.progress(fraction, "bem_solve", message, remaining)

    return on_frequency


def _mesh_meta(cfg: HornConfig, info: MeshInfo, epw: float, cold: bool) -> dict[str, Any]:
    """The finest (top band's) mesh: the one whose resolution limits the results' validity."""
    return {
        "triangles": info.triangles,
        "nodes": info.nodes,
        "dofs": info.nodes,
        "h_min_m": info.h_min,
        "h_max_m": info.h_max,
        "h_rms_m": info.h_rms,
        "elements_per_wavelength": epw,
        "elements_per_wavelength_target": cfg.mesh.elements_per_wavelength,
        "source": cfg.formula_type,
        "compiled_in_this_job": cold,
    }
