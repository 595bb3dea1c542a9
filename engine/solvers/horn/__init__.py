"""The built-in horn solver: R-OSSE / OS-SE profile → gmsh mesh → bempp-cl Burton–Miller sweep, or for a body of
revolution, profile → outline → axisymmetric Burton–Miller sweep (``axisymmetric``).

``validate`` is import-cheap (the CLI calls it before queueing); ``run`` executes in a worker
process only, where gmsh, numpy and bempp-cl are loaded. The optional entries (see ``engine.solvers``)
give the store, CLI and app what is particular to horns: metrics, exports, the mesh, a summary line.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from engine.solvers import SolverContext, SolverOutput, Validated
from engine.solvers.horn.spec import EXAMPLE_TOML as EXAMPLE_TOML
from engine.solvers.horn.validation import parse

KIND = "horn"
#: ``--vary a=40:60:5`` means ``horn.a``.
VARY_SECTION = "horn"
MESH_ARTIFACT = "mesh.msh"
EXPORT_FORMATS = ("frd", "csv", "json")
#: Results carry on-axis SPL, polars, DI, beamwidth and impedance over a sweep: the app's charts draw them.
CHARTS = True


def validate(raw: dict[str, Any], base_dir: Path) -> Validated:
    return parse(raw, base_dir)


def run(config: dict[str, Any], ctx: SolverContext) -> SolverOutput:
    from engine.solvers.horn.solve import solve

    return solve(config, ctx)


def metric_set() -> ModuleType:
    """Figures of merit of a horn result (pure Python, so the engine computes them without numpy)."""
    from engine.solvers.horn import metrics as horn_metrics

    return horn_metrics


def export_results(results: dict[str, Any], directory: Path, fmt: str, name: str) -> list[Path]:
    """FRD (one file per angle and plane, as ABEC and VituixCAD read them), CSV or JSON files."""
    from engine.solvers.horn import export

    return export.export_results(results, directory, fmt, name)


def solved_with(results: dict[str, Any]) -> str | None:
    """``3-D, opencl (single), quarter symmetry, 3 bands`` or ``axisymmetric, numba (double), 212 elements``: how a
    finished job was solved, from its results."""
    metadata = results.get("metadata") or {}
    solver = metadata.get("solver")
    if not solver:
        return None
    backend = f"{solver['backend']} ({solver['precision']})"
    if solver.get("method") == "axisymmetric":
        return f"axisymmetric, {backend}, {(metadata.get('mesh') or {}).get('elements', '?')} elements"
    bands = len(solver.get("bands") or [])
    return f"3-D, {backend}, {solver['symmetry']} symmetry, {bands} band{'s' if bands != 1 else ''}"


def estimate_job(config: dict[str, Any], history: list[dict[str, Any]]) -> dict[str, Any]:
    """Unknowns per band, run time (warm and fresh worker), peak memory and the resolved frequency of a normalised
    config, with the figures fitted from ``history`` (this home's finished horn jobs, newest first)."""
    from engine.solvers.horn import estimate

    return estimate.estimate(config, history)


def cost_model(history: list[dict[str, Any]]) -> dict[str, Any]:
    """This machine's costs per method and backend, fitted from ``history`` (as for ``estimate_job``): a running
    job predicts its remaining time from them."""
    from engine.solvers.horn import costs

    return costs.model(history)


def calibration_configs() -> list[dict[str, Any]]:
    """Raw configs of two small real jobs (3-D and axisymmetric) that measure this machine for the estimates."""
    from engine.solvers.horn import calibration

    return calibration.configs()


def summary_line(summary: dict[str, Any]) -> str:
    """``R-OSSE 200–20000 Hz × 40``: what a job list says about a horn config."""
    if "formula_type" not in summary:
        return ""
    low, high = summary.get("frequency_range", ["?", "?"])
    return f"{summary['formula_type']} {low}–{high} Hz × {summary.get('num_frequencies', '?')}"


def read_measurement(paths: list[Path], distance_m: float | None) -> dict[str, Any]:
    """FRD files or polar directories as a results-shaped document (``metadata.summary``: one line about it);
    a file that cannot be read raises a ``ConfigError`` naming it and the line."""
    from engine.solvers.horn.measurement.document import measurement_document

    return measurement_document(paths, distance_m)


def measurement_deviation(results: dict[str, Any], measured: dict[str, Any], settings: Any) -> float | None:
    """rms (dB) of a result's on-axis SPL minus a measurement's over the metric settings' band, their mean level
    difference removed."""
    from engine.solvers.horn.measurement.deviation import on_axis_deviation

    return on_axis_deviation(results, measured, settings.band_hz)


def import_config(text: str, source: str) -> Any:
    """An ATH config (Ath 4.x with its ABEC settings) as a horn job: ``raw``, ``notes`` and ``toml`` (see
    ``engine.solvers``), or None when ``text`` is not an ATH config. ``source`` names the file in the TOML."""
    from engine.solvers.horn import ath

    return ath.import_config(text, source)


#: ``hornq report`` files, named by their suffix: a PNG to post, an SVG to scale, one self-contained HTML page.
REPORT_FORMATS = ("png", "svg", "html")


def write_report(reported: list[dict[str, Any]], path: Path) -> None:
    """The charts and polar maps of one job, or of several overlaid (``{"job_id", "label", "results", "config"}``
    each), with their designs and solver settings, written in ``path``'s format. Loads matplotlib."""
    from engine.solvers.horn.report.files import write_report as write

    write(reported, path)
