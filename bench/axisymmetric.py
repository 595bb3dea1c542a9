"""The axisymmetric method on the shipped round horn, against the 3-D method on the same horn, in one run.

``examples/rosse-40deg.toml`` as shipped is a body of revolution, so ``method = "auto"`` solves it along its
profile: 40 frequencies from 200 Hz to 20 kHz with elements never coarser than 6 per wavelength at 20 kHz. It
runs in a fresh engine (so a fresh worker) twice: first with an empty numba cache (the first job after an
install, which compiles the kernels and writes the cache), then with the cache that run left (every later fresh
worker). The 3-D method solves the same horn at its shipped mesh (quarter model, default backend) at three
frequencies in a warm worker, for the time per frequency.

    .venv/bin/python -m bench.axisymmetric      # about 3 minutes on 2 cores
"""

from __future__ import annotations

import tempfile
import time

from bench.common import Figure, machine, show, temp_home
from bench.fast_solver import REFERENCE, WARM_FREQUENCIES, config, finished, per_frequency, points, run_engine, submit


def shipped_round_horn(numba_cache: str) -> tuple[float, float, dict]:
    """The shipped example in a fresh engine: the job's wall seconds, the engine's (start-up included), results."""
    with temp_home() as home:
        raw = config(REFERENCE)
        raw["solver"].pop("method")
        job = submit(raw)
        started = time.perf_counter()
        run_engine(home.root, {"NUMBA_CACHE_DIR": numba_cache})
        engine_wall = time.perf_counter() - started
        wall, results = finished(job)
    return wall, engine_wall, results


def main() -> list[Figure]:
    print(f"machine: {machine()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="hornq-numba-") as numba_cache:
        cold_wall, cold_engine, _ = shipped_round_horn(numba_cache)
        warm_wall, warm_engine, results = shipped_round_horn(numba_cache)
    with temp_home() as home:
        surface = submit(config(REFERENCE, sweep=points(WARM_FREQUENCIES)))
        run_engine(home.root)
        _, surface_results = finished(surface)
    solver = results["metadata"]["solver"]
    assert solver["method"] == "axisymmetric", solver
    mesh = results["metadata"]["mesh"]
    print(
        f"outline: {mesh['elements']} elements, {mesh['elements_per_wavelength']:.1f} elements per wavelength at "
        f"20 kHz; 3-D: {surface_results['metadata']['mesh']['triangles']} triangles, "
        f"{surface_results['metadata']['solver']['symmetry']} model, {surface_results['metadata']['solver']['backend']}"
    )
    print(
        f"engine wall (start-up, worker spawn and imports included): {cold_engine:.1f} s with an empty numba cache, "
        f"{warm_engine:.1f} s with it filled"
    )
    axisymmetric_per_frequency = per_frequency(results, skip_first=True)
    surface_per_frequency = per_frequency(surface_results, skip_first=True)
    figures = [
        Figure(
            "rosse-40deg as shipped, 40 frequencies to 20 kHz, fresh worker, numba cache filled",
            warm_wall,
            "s",
            "",
            None,
            "≤ 60 s",
            warm_wall <= 60,
        ),
        Figure(
            "the same, first job after an install (empty numba cache: the kernels compile)",
            cold_wall,
            "s",
            "",
            None,
            "≤ 60 s",
            cold_wall <= 60,
        ),
        Figure(
            "time per frequency, axisymmetric vs 3-D at the shipped mesh (warm)",
            axisymmetric_per_frequency,
            "s",
            "3-D method",
            surface_per_frequency,
            "≥ 100× faster",
            axisymmetric_per_frequency * 100 <= surface_per_frequency,
        ),
    ]
    show("Axisymmetric method (one run; the 3-D method as the peer)", figures)
    return figures


if __name__ == "__main__":
    main()
