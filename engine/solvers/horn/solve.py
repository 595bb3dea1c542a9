"""One horn job from config to results, with the stages a user watches: meshing, compiling, bem_solve, post."""

from __future__ import annotations

from typing import Any

from engine.solvers import Cancelled, SolverContext, SolverOutput
from engine.solvers.horn import bem, post
from engine.solvers.horn.config import HornConfig
from engine.solvers.horn.constants import MIN_ELEMENTS_PER_WAVELENGTH
from engine.solvers.horn.mesh import build_mesh

MESH_SHARE = 0.05  # progress given to meshing; the sweep takes the rest up to POST_AT
POST_AT = 0.98


def frequency_label(f: float) -> str:
    return f"{f / 1000:.3g} kHz" if f >= 1000 else f"{f:.0f} Hz"


def solve(config: dict[str, Any], ctx: SolverContext) -> SolverOutput:
    cfg = HornConfig.from_dict(config)
    ctx.progress(0.0, "meshing", "building the surface mesh")
    mesh_path = ctx.workdir / "mesh.msh"
    info = build_mesh(cfg, mesh_path)
    epw = info.elements_per_wavelength
    coarse = epw < MIN_ELEMENTS_PER_WAVELENGTH
    note = f" (coarse mesh: {epw:.1f} elements/λ at f_max)" if coarse else ""
    ctx.log(
        f"mesh: {info.triangles} triangles, {info.nodes} nodes, h {info.h_min * 1000:.1f}–"
        f"{info.h_max * 1000:.1f} mm, {epw:.1f} elements per wavelength at {cfg.sweep.f_max:g} Hz"
    )
    if ctx.should_stop():
        raise Cancelled
    frequencies = cfg.sweep.frequencies()
    obs = cfg.observation
    points = post.observation_points(obs.distance, obs.angles, obs.planes)
    cold = not bem.is_warm()

    def on_frequency(i: int, n: int, f: float) -> None:
        fraction = MESH_SHARE + (POST_AT - MESH_SHARE) * i / n
        if cold and i == 0:
            ctx.progress(fraction, "compiling", "compiling the BEM kernels (first solve in this worker)" + note)
        else:
            ctx.progress(fraction, "bem_solve", f"Solving {i + 1}/{n} at {frequency_label(f)}" + note)

    grid = bem.load_grid(mesh_path, info.scale)
    sweep = bem.solve_sweep(
        grid,
        frequencies,
        points,
        c=cfg.medium.c,
        rho=cfg.medium.rho,
        velocity=cfg.drive.velocity,
        acceleration=cfg.drive.acceleration,
        on_frequency=on_frequency,
        should_stop=ctx.should_stop,
    )
    ctx.progress(POST_AT, "post", "post-processing")
    mesh_meta = {
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
    results = post.build_results(
        ctx.job_id,
        sweep,
        distance_m=obs.distance,
        angles_deg=obs.angles,
        planes=obs.planes,
        normalize_angle=obs.normalize_angle,
        c=cfg.medium.c,
        rho=cfg.medium.rho,
        mesh_meta=mesh_meta,
    )
    return SolverOutput(results=results, artifacts={"mesh.msh": mesh_path.read_text(encoding="utf-8")})
