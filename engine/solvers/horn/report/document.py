"""What a report says about each job in words: its name, whether its results are partial, and the caption of its
design (formula and horn parameters as given, azimuth expressions included) and of how it was solved.

Pure Python over the stored config and results, read tolerantly: a job stored by an older hornq, or one whose
results lack solver metadata, still gets a caption with what is known.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from engine.solvers.horn.progress import frequency_label
from engine.solvers.horn.spec import FORMULA_SPECS, WALL_THICKNESS, Param

Rows = tuple[tuple[str, str], ...]
METHODS = {"3d": "3-D", "axisymmetric": "axisymmetric"}
FORMULATIONS = {"burton-miller": "Burton–Miller"}


@dataclass(frozen=True)
class Section:
    """A titled part of a caption. ``parameters``: its rows are a design's parameters, read as one paragraph of
    ``name = value``; otherwise each row is a ``name: value`` line."""

    title: str
    rows: Rows
    parameters: bool = False


@dataclass(frozen=True)
class Reported:
    """One job in a report: its id, label (may be empty), results document and stored config."""

    job_id: str
    label: str
    results: Mapping[str, Any]
    config: Mapping[str, Any]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Reported:
        return cls(str(data["job_id"]), data.get("label") or "", data["results"], data.get("config") or {})

    @property
    def short_id(self) -> str:
        return self.job_id[:8]

    @property
    def name(self) -> str:
        """``rosse 40 (3f2a9c1e)``, or the short id alone for a job without a label."""
        return f"{self.label} ({self.short_id})" if self.label else self.short_id

    @property
    def partial(self) -> str | None:
        """``PARTIAL: 6 of 24 frequencies solved`` for partial results, else None."""
        marker = self.results.get("partial")
        if not isinstance(marker, Mapping):
            return None
        return f"PARTIAL: {marker.get('solved', '?')} of {marker.get('of', '?')} frequencies solved"

    @property
    def metadata(self) -> Mapping[str, Any]:
        metadata = self.results.get("metadata")
        return metadata if isinstance(metadata, Mapping) else {}

    def frequencies(self) -> list[float]:
        return [float(f) for f in self.results.get("frequencies_hz") or [] if isinstance(f, int | float)]

    def planned_span(self) -> tuple[float, ...]:
        """The sweep's ends as configured: where partial results are heading."""
        sweep = _table(self.config, "sweep")
        return tuple(float(sweep[key]) for key in ("f_min", "f_max") if isinstance(sweep.get(key), int | float))

    def caption(self) -> tuple[Section, ...]:
        """The design (its profile's parameters as given, or the mesh file it solved), how it was solved, and the
        sweep."""
        sections = (
            _design(_table(self.config, "horn"), _table(self.config, "mesh")),
            Section("Solver", _solver(self.config, self.metadata)),
            Section("Sweep", _sweep(self.config, self.results)),
        )
        return tuple(section for section in sections if section.rows)


def report_title(jobs: Sequence[Reported]) -> str:
    """One job's name, or how many jobs an overlay compares."""
    return jobs[0].name if len(jobs) == 1 else f"{len(jobs)} horn jobs compared"


def _table(config: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = config.get(name)
    return value if isinstance(value, Mapping) else {}


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _parameter(value: Any, param: Param | None) -> str:
    """``130 mm``, ``40°``, or an azimuth expression as given with its unit after it: ``30 + 15*cos(p)^2 (°)``."""
    unit = param.unit if param else ""
    if isinstance(value, str):
        return f"{value} ({unit.strip()})" if unit else value
    return f"{_number(value)}{unit}"


def _design(horn: Mapping[str, Any], mesh: Mapping[str, Any]) -> Section:
    if mesh.get("file"):
        scale = (("scale", f"{_number(mesh['scale'])} m per unit"),) if mesh.get("scale") else ()
        return Section("Own mesh", (("file", str(mesh["file"])), *scale))
    formula = horn.get("formula")
    spec = {**FORMULA_SPECS.get(formula, {}), "wall_thickness": WALL_THICKNESS}
    rows = tuple((key, _parameter(value, spec.get(key))) for key, value in horn.items() if key != "formula")
    return Section(f"{formula} profile" if formula else "Profile", rows, parameters=True)


def _mesh_settings(mesh: Mapping[str, Any]) -> str:
    parts = []
    if mesh.get("size") == "auto":
        parts.append(f"auto, {_number(mesh.get('elements_per_wavelength', '?'))} elements/λ at f_max")
    if mesh.get("throat_size") is not None:
        parts.append(f"throat {_number(mesh['throat_size'])} mm, mouth {_number(mesh.get('mouth_size', '?'))} mm")
    if mesh.get("banded"):
        parts.append("banded")
    return ", ".join(parts) or "default"


def _solver(config: Mapping[str, Any], metadata: Mapping[str, Any]) -> Rows:
    """The settings the results record (the backend the worker settled on), else the config's choices."""
    asked = _table(config, "solver")
    solved = metadata.get("solver") if isinstance(metadata.get("solver"), Mapping) else {}
    settings = {**asked, **solved}
    rows: list[tuple[str, str]] = []
    method = settings.get("method")
    if method:
        formulation = FORMULATIONS.get(settings.get("formulation"), settings.get("formulation"))
        rows.append(("method", " ".join(filter(None, (METHODS.get(method, method), formulation)))))
    if settings.get("backend"):
        precision = settings.get("precision")
        known = f", {precision} precision" if precision and precision != "auto" else ""
        rows.append(("backend", f"{settings['backend']}{known}"))
    if settings.get("symmetry"):
        rows.append(("symmetry", str(settings["symmetry"])))
    mesh_settings = _table(config, "mesh")
    if mesh_settings and not mesh_settings.get("file"):
        rows.append(("mesh", _mesh_settings(mesh_settings)))
    bands = solved.get("bands") if isinstance(solved.get("bands"), list) else []
    rows.extend((f"band {i}", _band(band)) for i, band in enumerate(bands, start=1) if isinstance(band, Mapping))
    mesh = metadata.get("mesh") if isinstance(metadata.get("mesh"), Mapping) else {}
    if mesh:
        rows.append(("finest mesh", _mesh_achieved(mesh)))
    if mesh.get("warning"):
        rows.append(("warning", str(mesh["warning"])))
    return tuple(rows)


def _band(band: Mapping[str, Any]) -> str:
    low, high = band.get("f_low_hz"), band.get("f_high_hz")
    span = f"{frequency_label(low)}–{frequency_label(high)}" if isinstance(low, int | float) and high else "?"
    size = band.get("triangles") or band.get("elements")
    unit = "triangles" if "triangles" in band else "elements"
    epw = band.get("elements_per_wavelength")
    resolution = f", {epw:.1f} elements/λ" if isinstance(epw, int | float) else ""
    return f"{span}, {size:,} {unit}{resolution}" if isinstance(size, int) else f"{span}{resolution}"


def _mesh_achieved(mesh: Mapping[str, Any]) -> str:
    """The finest mesh and its resolution at the top frequency, against the target."""
    size, unit = (mesh["triangles"], "triangles") if "triangles" in mesh else (mesh.get("elements"), "elements")
    parts = [f"{size:,} {unit}"] if isinstance(size, int) else []
    epw = mesh.get("elements_per_wavelength")
    if isinstance(epw, int | float):
        target = mesh.get("elements_per_wavelength_target")
        wanted = f" (target {_number(target)})" if isinstance(target, int | float) else ""
        parts.append(f"{epw:.1f} elements/λ at the top frequency{wanted}")
    return ", ".join(parts) or "?"


def _sweep(config: Mapping[str, Any], results: Mapping[str, Any]) -> Rows:
    sweep, observation = _table(config, "sweep"), _table(results, "observation")
    rows: list[tuple[str, str]] = []
    frequencies = [f for f in results.get("frequencies_hz") or [] if isinstance(f, int | float)]
    low, high = sweep.get("f_min"), sweep.get("f_max")
    if not isinstance(low, int | float) and frequencies:
        low, high = min(frequencies), max(frequencies)
    if isinstance(low, int | float) and isinstance(high, int | float):
        marker = results.get("partial")
        count = marker.get("of") if isinstance(marker, Mapping) else len(frequencies) or sweep.get("n")
        spacing = f", {sweep['spacing']} spacing" if sweep.get("spacing") else ""
        rows.append(("frequencies", f"{frequency_label(low)}–{frequency_label(high)}, {count} points{spacing}"))
    angles = [a for a in observation.get("angles_deg") or [] if isinstance(a, int | float)]
    if angles:
        distance = observation.get("distance_m")
        at = f" at {_number(distance)} m" if isinstance(distance, int | float) else ""
        rows.append(("polars", f"{_angles(angles)}{at}, normalised to {_number(_normalized_to(results))}°"))
    drive = _table(config, "drive")
    if drive.get("acceleration") is not None:
        rows.append(("drive", f"acceleration {_number(drive['acceleration'])} m/s²"))
    elif drive.get("velocity") is not None:
        rows.append(("drive", f"velocity {_number(drive['velocity'])} m/s"))
    medium = _table(config, "medium")
    if medium:
        rows.append(("air", f"c = {_number(medium.get('c', '?'))} m/s, ρ = {_number(medium.get('rho', '?'))} kg/m³"))
    return tuple(rows)


def _angles(angles: list[float]) -> str:
    """``0–180° in 5° steps``, or the angles listed when they are not evenly spaced."""
    steps = {round(b - a, 9) for a, b in pairwise(angles)}
    if len(steps) == 1:
        return f"{_number(angles[0])}–{_number(angles[-1])}° in {_number(steps.pop())}° steps"
    return ", ".join(_number(a) for a in angles) + "°"


def _normalized_to(results: Mapping[str, Any]) -> float:
    metadata = results.get("metadata")
    angle = metadata.get("normalize_angle_deg") if isinstance(metadata, Mapping) else None
    return float(angle) if isinstance(angle, int | float) else 0.0
