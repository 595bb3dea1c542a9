"""One horn job from config to results, with the stages a user watches: meshing, compiling, bem_solve, post.

The sweep is solved band by band: each band of frequencies on the coarsest mesh that still resolves it
(``bands``), each mesh mirror-symmetric when the horn allows a half or quarter model (``symmetry``), on the
backend the worker proved it can run (``backend``). The stored mesh artifact is the finest band's.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

from engine.solvers import Cancelled, SolverContext, SolverOutput
from engine.solvers.horn import MESH_ARTIFACT, bem, post, progress
from engine.solvers.horn import bands as banding
from engine.solvers.horn.axisymmetric import job as axisymmetric
from engine.solvers.horn.backend import Backend, choose
from engine.solvers.horn.config import HornConfig
from engine.solvers.horn.constants import MIN_ELEMENTS_PER_WAVELENGTH
from engine.solvers.horn.mesh import MeshInfo, build_mesh
from engine.solvers.horn.sweep import joined

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
    plan = _plan(cfg, config.get("horn"), frequencies)
    cold = not bem.is_warm(backend.interface)
    obs = cfg.observation
    points = post.observation_points(obs.distance, obs.angles, obs.planes)
    total, done = len(frequencies), 0
    sweeps, band_meta, finest, band_meshes = [], [], None, {}
    for band in plan:
        started = time.perf_counter()
        mesh_path = ctx.workdir / f"mesh-band{band.index}.msh"
        ctx.progress(_fraction(done, total), "meshing", f"meshing band {band.index + 1}/{len(plan)}")
        info = _mesh(cfg, band, mesh_path, symmetry)
        epw = cfg.medium.c / (band.f_high * info.h_max)
        ctx.log(
            f"band {band.index + 1}/{len(plan)}: {progress.band_span(band.frequencies)}, "
            f"{info.triangles} triangles, {info.nodes} nodes, "
            f"{epw:.1f} elements per wavelength at {band.f_high:g} Hz"
        )
        if ctx.should_stop():
            raise Cancelled
        grid = bem.load_grid(mesh_path, info.scale)
        sweep = bem.solve_sweep(
            grid,
            band.frequencies,
            points,
            c=cfg.medium.c,
            rho=cfg.medium.rho,
            velocity=cfg.drive.velocity,
            acceleration=cfg.drive.acceleration,
            on_frequency=_reporter(ctx, done, total, epw, backend, symmetry),
            on_solved=progress.frequency_logger(ctx, f"band {band.index + 1}/{len(plan)}"),
            should_stop=ctx.should_stop,
            symmetry=symmetry,
            device_interface=backend.interface,
            precision=backend.precision,
        )
        done += len(band.frequencies)
        sweeps.append(sweep)
        band_meta.append(
            {
                "f_low_hz": band.f_low,
                "f_high_hz": band.f_high,
                "frequencies": len(band.frequencies),
                "triangles": info.triangles,
                "unknowns": sweep.unknowns,
                "elements_per_wavelength": round(epw, 3),
                "seconds": round(time.perf_counter() - started, 3),
            }
        )
        if cfg.mesh.keep_band_meshes:
            band_meshes[f"mesh-band{band.index + 1}.msh"] = mesh_path.read_text(encoding="utf-8")
        if finest is None or info.triangles > finest[0].triangles:
            finest = (info, mesh_path, epw)
    ctx.progress(POST_AT, "post", "post-processing")
    info, mesh_path, epw = finest
    solver_meta = {
        "backend": backend.interface,
        "precision": backend.precision,
        "symmetry": symmetry,
        "method": "3d",
        "formulation": FORMULATION,
        "banded": cfg.mesh.banded,
        "bands": band_meta,
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
        mesh_meta=_mesh_meta(cfg, info, epw, cold),
        solver_meta=solver_meta,
    )
    return SolverOutput(
        results=results, artifacts={MESH_ARTIFACT: mesh_path.read_text(encoding="utf-8"), **band_meshes}
    )


def _plan(cfg: HornConfig, horn: dict[str, Any] | None, frequencies: list[float]) -> list[banding.Band]:
    """The bands to solve: one for a user's mesh or ``banded = false``, else as few as keep each one resolved."""
    mesh = cfg.mesh
    if mesh.file is not None or horn is None:
        return [banding.Band(0, min(frequencies), max(frequencies), tuple(frequencies), None, None, 0)]
    if not mesh.banded:
        return banding.single_band(frequencies, mesh.throat_size, mesh.mouth_size, horn)
    return banding.plan_bands(
        frequencies,
        horn,
        throat_size=mesh.throat_size,
        mouth_size=mesh.mouth_size,
        epw=mesh.elements_per_wavelength,
        c=cfg.medium.c,
        size_mode=mesh.size,
    )


def _mesh(cfg: HornConfig, band: banding.Band, path: Path, symmetry: str) -> MeshInfo:
    """The band's mesh (a user's mesh is the only band's), written to ``path`` in metres."""
    if cfg.mesh.file is not None:
        return build_mesh(cfg, path, symmetry=symmetry)
    sized = dataclasses.replace(cfg.mesh, throat_size=band.throat_size, mouth_size=band.mouth_size)
    return build_mesh(dataclasses.replace(cfg, mesh=sized), path, symmetry=symmetry)


def _fraction(done: int, total: int) -> float:
    return MESH_SHARE + (POST_AT - MESH_SHARE) * done / total


def _reporter(ctx: SolverContext, done: int, total: int, epw: float, backend: Backend, symmetry: str) -> Any:
    """Progress before each frequency: "compiling" while the worker's first assembly builds its kernels."""
    note = f" (coarse mesh: {epw:.1f} elements/λ)" if epw < MIN_ELEMENTS_PER_WAVELENGTH else ""
    how = backend.interface if symmetry == "none" else f"{backend.interface}, {symmetry}"

    def on_frequency(i: int, n: int, f: float) -> None:
        fraction = _fraction(done + i, total)
        if not bem.is_warm(backend.interface):
            ctx.progress(fraction, "compiling", f"building the {backend.interface} kernels" + note)
        else:
            ctx.progress(
                fraction, "bem_solve", f"Solving {done + i + 1}/{total} at {progress.frequency_label(f)} ({how})" + note
            )

    return on_frequency


def _mesh_meta(cfg: HornConfig, info: MeshInfo, epw: float, cold: bool) -> dict[str, Any]:
    """The finest (top band's) mesh: the one whose resolution limits the results' validity."""
    return {
        "triangles": info.triangles,
        "nodes": info.nodes,
        "dofs": info.nodes,
        "h_min_m": info.h_min,
        "h_max_m": info.h_max,
        "elements_per_wavelength": epw,
        "elements_per_wavelength_target": cfg.mesh.elements_per_wavelength,
        "source": cfg.formula_type,
        "compiled_in_this_job": cold,
    }
