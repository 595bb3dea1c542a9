"""The cost model and the estimate of a horn config: fitted from finished jobs, built-in until there are some."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import meshio
import numpy as np
import pytest

from engine.config.job import parse_config, read_config_file
from engine.solvers.horn import bands, calibration, costs, estimate
from engine.solvers.horn.axisymmetric.generatrix import band_outline, outline_bands
from engine.solvers.horn.calibration import configs as calibration_configs
from engine.solvers.horn.config import HornConfig
from engine.solvers.horn.progress import frequency_label
from engine.solvers.horn.sizing import estimated_resolution

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))
ROUND = calibration.HORN


def normalised(**sections: Any) -> dict[str, Any]:
    raw = {"kind": "horn", "horn": ROUND, "sweep": {"f_min": 200, "f_max": 4000, "n": 12}, **sections}
    return parse_config(raw, ROOT).validated.config


def record(
    unknowns: list[int],
    seconds: Any,
    *,
    method: str = "3d",
    backend: str = "opencl",
    precision: str = "single",
    symmetry: str = "quarter",
    per_band: int = 3,
    cold: bool = False,
    compile_s: float = 0.0,
    start: Any = lambda triangles: 0.0,
    outside_s: float = 0.0,
) -> dict[str, Any]:
    """A finished job as the estimates read it, its per-frequency times from ``seconds(work)``, each band's first
    frequency ``start(triangles)`` longer (its kernel build), a cold job's first ``compile_s`` longer still."""
    frequencies, solves, band_meta = [], [], []
    for index, n in enumerate(unknowns):
        own = [1000.0 * (index + 1) + i for i in range(per_band)]
        times = [seconds(costs.work(method, symmetry, n)) for _ in own]
        times[0] += start(8 * n)
        if cold and index == 0:
            times[0] += compile_s
        frequencies += own
        solves += times
        band_meta.append(
            {
                "f_low_hz": own[0],
                "f_high_hz": own[-1],
                "frequencies": per_band,
                "triangles": 8 * n,
                "unknowns": n,
                "seconds": sum(times),
            }
        )
    solver = {"method": method, "backend": backend, "precision": precision, "symmetry": symmetry, "bands": band_meta}
    metadata = {"solver": solver, "solve_seconds": solves, "mesh": {"compiled_in_this_job": cold}}
    total = sum(b["seconds"] for b in band_meta) + outside_s
    return {"results": {"frequencies_hz": frequencies, "metadata": metadata}, "seconds": total}


def test_fit_recovers_base_and_scale_of_a_quadratic_cost() -> None:
    history = [record([200, 400, 800], lambda w: 0.4 + 3.0 * w)]

    fitted = costs.fit(history)[("3d", "opencl", "single")]

    assert fitted.frequency.base == pytest.approx(0.4, rel=1e-6)
    assert fitted.frequency.scale == pytest.approx(3.0, rel=1e-6)
    assert fitted.frequency.power == pytest.approx(1.0)
    assert fitted.jobs == 1


def test_fit_recovers_the_growth_exponent_when_sizes_span_enough() -> None:
    history = [record([150, 300, 600, 1200], lambda w: 0.2 + 1.5 * w**1.25)]

    curve = costs.fit(history)[("3d", "opencl", "single")].frequency

    assert curve.power == pytest.approx(1.25, abs=0.011)
    assert curve.scale == pytest.approx(1.5, rel=0.05)


def test_a_fresh_workers_compilation_counts_as_its_start_not_as_a_frequency() -> None:
    cost = lambda w: 0.5 + 2.0 * w  # noqa: E731
    history = [
        record([200, 400, 800], cost, outside_s=1.5),
        record([200, 400, 800], cost, cold=True, compile_s=25.0, outside_s=4.5),
    ]

    fitted = costs.fit(history)[("3d", "opencl", "single")]

    assert fitted.frequency.base == pytest.approx(0.5, rel=1e-6)
    assert fitted.job == pytest.approx(1.5)
    assert fitted.cold == pytest.approx(25.0 + 3.0)


def test_a_bands_start_is_fitted_from_its_triangles_and_kept_out_of_the_frequency_cost() -> None:
    history = [record([200, 400, 800, 1000], lambda w: 0.5 + 2.0 * w, start=lambda t: 1.0 + 0.002 * t)]

    fitted = costs.fit(history)[("3d", "opencl", "single")]

    assert fitted.frequency.base == pytest.approx(0.5, rel=1e-6)
    assert fitted.frequency.scale == pytest.approx(2.0, rel=1e-6)
    assert fitted.band_base == pytest.approx(1.0, rel=1e-6)
    assert fitted.band_per_triangle == pytest.approx(0.002, rel=1e-6)


def test_a_single_measured_band_start_scales_the_built_in_start_figures() -> None:
    """A cold job's largest band start counts as its compilation: one start (1,600 triangles) is left to fit."""
    history = [record([200, 400], lambda w: 0.5 + 2.0 * w, per_band=3, cold=True, start=lambda t: 0.1 * t / 1000)]

    fitted = costs.fit(history)[("3d", "opencl", "single")]

    builtin = costs.BUILTIN[("3d", "opencl", "single")]
    assert fitted.band_base + fitted.band_per_triangle * 1600 == pytest.approx(0.16, rel=1e-6)
    assert fitted.band_base / fitted.band_per_triangle == pytest.approx(builtin.band_base / builtin.band_per_triangle)


def test_methods_and_backends_are_fitted_apart_and_unmeasured_ones_keep_built_in_figures() -> None:
    history = [
        record([100, 200, 400], lambda w: 0.01 + 0.5 * w, method="axisymmetric", backend="numba", precision="double")
    ]

    fitted = costs.fit(history)

    assert fitted[("axisymmetric", "numba", "double")].frequency.scale == pytest.approx(0.5, rel=1e-6)
    assert fitted[("3d", "opencl", "single")] == costs.BUILTIN[("3d", "opencl", "single")]


def test_jobs_without_per_band_figures_are_ignored() -> None:
    old = {"results": {"frequencies_hz": [100.0], "metadata": {"solve_seconds": [3.0]}}, "seconds": 9.0}

    assert costs.fit([old]) == costs.BUILTIN


def test_without_history_the_estimate_uses_built_in_figures_and_says_so() -> None:
    document = estimate.estimate(normalised(solver={"method": "3d", "backend": "opencl"}), [])

    assert document["figures"] == {"source": "built-in", "jobs": 0}
    assert "built-in figures for a 2-core machine; they sharpen as jobs finish" in document["note"]
    builtin = costs.BUILTIN[("3d", "opencl", "single")]
    assert document["seconds"]["cold"] == pytest.approx(document["seconds"]["warm"] + builtin.cold, abs=0.11)


def test_with_history_the_estimate_follows_the_fitted_figures() -> None:
    config = normalised(solver={"method": "3d", "backend": "opencl"})
    slow = [record([200, 400, 800], lambda w: 1.0 + 20.0 * w)]

    measured = estimate.estimate(config, slow)

    assert measured["figures"] == {"source": "measured", "jobs": 1}
    assert measured["note"] is None
    expected = sum(
        b["frequencies"] * (1.0 + 20.0 * costs.work("3d", "quarter", b["unknowns"])) for b in measured["bands"]
    )
    assert measured["seconds"]["warm"] == pytest.approx(expected, abs=0.1)


def test_quarter_model_unknowns_are_a_quarter_of_the_nodes_the_solver_plans_and_those_on_the_cut() -> None:
    config = normalised(solver={"method": "3d"})
    cfg = HornConfig.from_dict(config)
    plan = bands.plan_bands(
        cfg.sweep.frequencies(),
        config["horn"],
        throat_size=cfg.mesh.throat_size,
        mouth_size=cfg.mesh.mouth_size,
        epw=cfg.mesh.elements_per_wavelength,
        c=cfg.medium.c,
        size_mode=cfg.mesh.size,
        symmetry="quarter",
    )

    document = estimate.estimate(config, [])

    assert document["symmetry"] == "quarter"
    assert [b["triangles"] for b in document["bands"]] == [band.estimated_triangles for band in plan]
    cut = [2 * costs.CUT_DOFS * math.sqrt(b.estimated_triangles) for b in plan]
    expected = [math.ceil(b.estimated_triangles // 2 / 4 + extra) for b, extra in zip(plan, cut, strict=True)]
    assert [b["unknowns"] for b in document["bands"]] == expected


def test_axisymmetric_unknowns_are_the_elements_of_each_bands_outline() -> None:
    config = normalised()
    cfg = HornConfig.from_dict(config)
    expected = [len(band_outline(cfg, band).tags) for band in outline_bands(cfg)]

    document = estimate.estimate(config, [])

    assert document["method"] == "axisymmetric"
    assert [b["elements"] for b in document["bands"]] == expected
    assert [b["unknowns"] for b in document["bands"]] == expected


def test_peak_memory_counts_the_dense_rows_of_the_model_in_its_precision() -> None:
    single = estimate.estimate(normalised(solver={"method": "3d", "backend": "opencl", "precision": "single"}), [])
    double = estimate.estimate(normalised(solver={"method": "3d", "backend": "opencl", "precision": "double"}), [])
    top = single["bands"][-1]
    rows, columns = top["unknowns"], top["triangles"] // 2

    assert single["peak_memory_bytes"] == pytest.approx(estimate.WORKER_BYTES["3d"] + 40 * rows * columns, rel=1e-3)
    assert double["peak_memory_bytes"] == pytest.approx(estimate.WORKER_BYTES["3d"] + 32 * rows * columns, rel=1e-3)


def test_a_mesh_too_coarse_for_f_max_is_warned_about_naming_where_it_stops_being_valid() -> None:
    config = normalised(
        mesh={"throat_size": 4, "mouth_size": 10},
        sweep={"f_min": 200, "f_max": 20000, "n": 12},
        solver={"method": "3d"},
    )

    document = estimate.estimate(config, [])

    size = estimated_resolution(config["horn"], 4, 10, "quarter")
    assert 0.7 * 10 < size < 0.8 * 10  # graded from 4 mm: most elements are smaller than the mouth's
    assert document["resolved_to_hz"] == pytest.approx(343_000 / (6 * size), rel=1e-3)
    assert document["elements_per_wavelength_at_f_max"] == pytest.approx(343_000 / (20000 * size), abs=0.01)
    label = frequency_label(document["resolved_to_hz"])
    assert any(f"only up to {label}" in warning and "to 20 kHz" in warning for warning in document["warnings"])


def test_a_users_mesh_is_resolved_as_far_as_its_quadratic_mean_edge_allows(tmp_path: Path) -> None:
    points = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0], [0, 0, 10]], dtype=float)  # mm: edges 10 and 10·√2
    triangles = np.array([[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]])
    tags = np.array([2, 1, 3, 3])
    cells = {"gmsh:physical": [tags], "gmsh:geometrical": [tags]}
    meshio.write(tmp_path / "user.msh", meshio.Mesh(points, [("triangle", triangles)], cell_data=cells), "gmsh22")
    raw = {"kind": "horn", "mesh": {"file": "user.msh"}, "sweep": {"f_min": 200, "f_max": 4000, "n": 4}}

    document = estimate.estimate(parse_config(raw, tmp_path).validated.config, [])

    rms_mm = math.sqrt((3 * 10**2 + 3 * 200) / 6)
    assert document["resolved_to_hz"] == pytest.approx(343_000 / (6 * rms_mm), rel=1e-3)


@pytest.mark.parametrize("f_max", [4000, 12000])
def test_a_mesh_sized_for_its_sweep_gets_no_warning(f_max: int) -> None:
    sweep = {"f_min": 200, "f_max": f_max, "n": 12}
    document = estimate.estimate(normalised(mesh={"size": "auto"}, sweep=sweep, solver={"method": "3d"}), [])

    assert document["resolved_to_hz"] >= f_max
    assert document["warnings"] == []


def test_more_memory_than_the_machine_has_is_warned_about_from_the_first_band_over_it() -> None:
    document = estimate.estimate(normalised(solver={"method": "3d"}), [], available=1)

    (warning,) = document["warnings"]
    assert "from 200 Hz up" in warning and "it may run out of memory" in warning


def test_the_one_line_says_method_backend_unknowns_time_memory_and_resolution() -> None:
    document = estimate.estimate(normalised(solver={"method": "3d", "backend": "numba"}), [])

    assert document["line"].startswith("3-D, numba (double), quarter model, ")
    for part in ("unknowns: about ", "in a fresh worker)", "peak memory ", "mesh resolved up to "):
        assert part in document["line"]
    assert len(document["details"]) == len(document["bands"])


def test_the_calibration_jobs_are_valid_configs_of_both_methods() -> None:
    methods = [parse_config(raw, ROOT).validated.config["solver"]["method"] for raw in calibration_configs()]

    assert methods == ["3d", "axisymmetric"]


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_each_shipped_example_is_resolved_up_to_its_f_max(path: Path) -> None:
    raw = read_config_file(path)
    raw.pop("study", None)  # an optimisation's base horn: its points differ only in the varied values
    config = parse_config(raw, path.parent).validated.config

    document = estimate.estimate(config, [], available=10**12)

    assert document["resolved_to_hz"] >= config["sweep"]["f_max"]
    assert document["warnings"] == []
