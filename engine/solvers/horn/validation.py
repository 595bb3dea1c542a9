"""Validation of a horn job's TOML into one normalised dict, before anything is queued.

``parse`` runs in the CLI, so it stays import-cheap (pure Python; meshio is imported only to inspect a user's
mesh file) and every refusal is one ``ConfigError`` line that names the key path. The result is
JSON-serialisable and has every default filled, so a stored job can be re-run exactly and re-validates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.errors import ConfigError
from engine.solvers import Validated
from engine.solvers.horn import profiles
from engine.solvers.horn.backend import BACKENDS, PRECISIONS
from engine.solvers.horn.checks import as_number, check_keys, check_range, get, integer, number, type_name
from engine.solvers.horn.config import HornGeometry
from engine.solvers.horn.constants import MIN_ELEMENTS_PER_WAVELENGTH, PLANES
from engine.solvers.horn.expr import parse_expression
from engine.solvers.horn.meshfile import MeshError, file_mesh_settings
from engine.solvers.horn.sizing import check_mesh_budget, generated_mesh_settings
from engine.solvers.horn.spec import (
    CHECK_AZIMUTHS,
    CHECK_POINTS,
    FORMULA_SPECS,
    FORMULAS,
    MAX_ANGLES,
    MAX_FREQUENCIES,
    MAX_FREQUENCY,
    REQUIRED,
    SECTIONS,
    SPACINGS,
    WALL_THICKNESS,
    Param,
)
from engine.solvers.horn.symmetry import SYMMETRIES, detect

METHOD_3D, METHOD_AXISYMMETRIC = "3d", "axisymmetric"
METHODS = ("auto", METHOD_3D, METHOD_AXISYMMETRIC)


def parse(raw: dict[str, Any], base_dir: Path) -> Validated:
    """Validate a horn job config (TOML minus kind/label/executor) and fill every default."""
    if not isinstance(raw, Mapping):
        raise ConfigError("horn config must be a table of sections")
    check_keys(raw, SECTIONS, "", is_section=True)
    for name in SECTIONS:
        if name in raw and raw[name] is not None and not isinstance(raw[name], Mapping):
            raise ConfigError(f"{name}: must be a table ([{name}]), got {type_name(raw[name])}")
    sections = {name: dict(raw.get(name) or {}) for name in SECTIONS}

    medium = _parse_medium(sections["medium"])
    sweep = _parse_sweep(sections["sweep"])
    mesh_file = get(sections["mesh"], "file")
    horn = None
    if "horn" in raw and raw["horn"] is not None:
        horn = _parse_horn(sections["horn"])
    elif mesh_file is None:
        raise ConfigError("horn: missing [horn] section (give a profile, or mesh.file to use your own mesh)")
    method = _parse_method(sections["solver"], sections["mesh"], horn)
    mesh = _parse_mesh(sections["mesh"], horn, sweep, medium, base_dir, method)
    solver = _parse_solver(sections["solver"], horn, mesh, method)
    if method == METHOD_3D and mesh["file"] is None:
        # Only the 3-D method's surface is held to the dense-operator budget (an axisymmetric outline of the same
        # sizes has a few hundred elements), and a half or quarter model's budget is larger.
        check_mesh_budget(horn, mesh["throat_size"], mesh["mouth_size"], solver["symmetry"])
    config = {
        "horn": horn,
        "mesh": mesh,
        "sweep": sweep,
        "observation": _parse_observation(sections["observation"]),
        "drive": _parse_drive(sections["drive"]),
        "medium": medium,
        "solver": solver,
    }
    formula_type = "file" if mesh["file"] is not None or horn is None else horn["formula"]
    summary = {
        "formula_type": formula_type,
        "frequency_range": [_plain(sweep["f_min"]), _plain(sweep["f_max"])],
        "num_frequencies": sweep["n"],
        "sim_type": "2",
    }
    return Validated(config=config, summary=summary)


def _parse_horn(section: dict[str, Any]) -> dict[str, Any]:
    formula_raw = section.get("formula", REQUIRED)
    if formula_raw is REQUIRED:
        raise ConfigError('horn.formula: missing (use "R-OSSE" or "OS-SE")')
    if not isinstance(formula_raw, str):
        raise ConfigError(f'horn.formula: expected a string ("R-OSSE" or "OS-SE"), got {type_name(formula_raw)}')
    formula = FORMULAS.get("".join(ch for ch in formula_raw.upper() if ch not in "-_ "))
    if formula is None:
        raise ConfigError(f'horn.formula: unknown formula "{formula_raw}" (use "R-OSSE" or "OS-SE")')
    spec = FORMULA_SPECS[formula]
    other = "OS-SE" if formula == "R-OSSE" else "R-OSSE"
    for key in section:
        if key not in spec and key not in ("formula", "wall_thickness") and key in FORMULA_SPECS[other]:
            raise ConfigError(f"horn.{key}: is an {other} parameter, not used by {formula}")
    check_keys(section, ("formula", "wall_thickness", *spec), "horn")

    result: dict[str, Any] = {"formula": formula}
    for name, param in spec.items():
        result[name] = _horn_value(section, name, param)
    result["wall_thickness"] = _horn_value(section, "wall_thickness", WALL_THICKNESS)
    _check_geometry(result)
    return result


def _horn_value(section: dict[str, Any], name: str, param: Param) -> float | str:
    """A number, or an expression of p whose samples must all lie in the parameter's interval."""
    path = f"horn.{name}"
    value = section.get(name, param.default)
    if value is None:
        value = param.default
    if value is REQUIRED:
        raise ConfigError(f"{path}: missing (required for this formula)")
    if isinstance(value, str):
        if not param.expression:
            raise ConfigError(f"{path}: expected a number, got a string; it cannot vary with azimuth")
        expression = parse_expression(value.strip(), path)
        if expression.constant:
            value = expression(0.0)
        else:
            for i in range(CHECK_AZIMUTHS):
                p = 2 * math.pi * i / CHECK_AZIMUTHS
                check_range(expression(p), param, path, f" (expression '{expression.text}' at p = {p:.3g})")
            return expression.text
    parsed = as_number(value, path, "a number" + (" or an expression of p" if param.expression else ""))
    check_range(parsed, param, path, "")
    return parsed


def _check_geometry(horn: dict[str, Any]) -> None:
    """Sample the profile at every checked azimuth; R-OSSE length and wall offset errors surface here."""
    geometry = HornGeometry.from_horn(horn)
    count = 1 if geometry.axisymmetric else CHECK_AZIMUTHS
    for i in range(count):
        p = 2 * math.pi * i / count
        at = "" if count == 1 else f" (at azimuth {math.degrees(p):g}°)"
        try:
            points = geometry.profile(p, CHECK_POINTS)
            profiles.check_profile(points, horn["wall_thickness"])
        except (ValueError, OverflowError, ZeroDivisionError):
            raise ConfigError(f"horn: the profile cannot be evaluated with these parameters{at}") from None
        except ConfigError as exc:
            raise ConfigError(f"{exc}{at}") from None


def _parse_mesh(
    section: dict[str, Any],
    horn: dict[str, Any] | None,
    sweep: dict[str, Any],
    medium: dict[str, Any],
    base_dir: Path,
    method: str,
) -> dict[str, Any]:
    check_keys(
        section, ("size", "elements_per_wavelength", "throat_size", "mouth_size", "file", "scale", *SWITCHES), "mesh"
    )
    switches = {key: get(section, key) for key in SWITCHES}
    for key, value in switches.items():
        if value is not None and not isinstance(value, bool):
            raise ConfigError(f"mesh.{key}: expected true or false, got {type_name(value)}")
    section = {key: value for key, value in section.items() if key not in SWITCHES}
    banded, keep, profile = switches["banded"], bool(switches["keep_band_meshes"]), bool(switches["axisymmetric"])
    size = get(section, "size")
    if size is not None and size not in ("auto", "manual", "file"):
        raise ConfigError(f'mesh.size: expected "auto" (or give throat_size and mouth_size), got {size!r}')
    epw = number(section, "elements_per_wavelength", "mesh", MIN_ELEMENTS_PER_WAVELENGTH, low=1.0, high=100.0)
    if get(section, "file") is not None or size == "file":
        settings = file_mesh_settings(section, size, epw, base_dir, surface=not profile)
        if profile:
            _check_outline(Path(settings["file"]), settings["scale"])
        return {**settings, "banded": False, "keep_band_meshes": False, "axisymmetric": profile}
    if profile:
        raise ConfigError(
            "mesh.axisymmetric: only describes a mesh.file holding a profile of line elements; a round horn's "
            'profile is solved axisymmetrically by solver.method = "auto" or "axisymmetric"'
        )
    settings = generated_mesh_settings(section, size, epw, horn, sweep["f_max"], medium["c"])
    return {**settings, "banded": True if banded is None else banded, "keep_band_meshes": keep, "axisymmetric": False}


#: ``[mesh]`` switches: solve in frequency bands (default on), keep every band's mesh as an artifact, and the
#: mesh file is a profile of line elements for the axisymmetric method.
SWITCHES = ("banded", "keep_band_meshes", "axisymmetric")


def _check_outline(path: Path, scale: float) -> None:
    """Read a profile through, so one that is not a chain of lines from the axis to the axis is refused now."""
    from engine.solvers.horn.axisymmetric.generatrix import read_outline

    try:
        read_outline(path, scale)
    except MeshError as exc:
        raise ConfigError(f"mesh.file: {exc}") from None


def _parse_method(section: dict[str, Any], mesh: dict[str, Any], horn: dict[str, Any] | None) -> str:
    """``solver.method`` settled at submit: "auto" is axisymmetric for a body of revolution, 3-D otherwise."""
    asked = _choice(section, "method", METHODS)
    if get(mesh, "file") is not None:
        profile = get(mesh, "axisymmetric") is True
        if profile and asked == METHOD_3D:
            raise ConfigError(
                'solver.method: "3d" cannot solve a profile of line elements (mesh.axisymmetric = true); use "auto"'
            )
        if not profile and asked == METHOD_AXISYMMETRIC:
            raise ConfigError(
                'solver.method: "axisymmetric" needs a profile of line elements in mesh.file, marked with '
                "mesh.axisymmetric = true"
            )
        return METHOD_AXISYMMETRIC if profile else METHOD_3D
    varying = sorted(name for name, value in (horn or {}).items() if isinstance(value, str) and name != "formula")
    if asked == METHOD_AXISYMMETRIC and varying:
        raise ConfigError(
            f'solver.method: "axisymmetric" needs a body of revolution, but horn.{varying[0]} varies with the '
            'azimuth p; use "auto" or "3d"'
        )
    if asked == "auto":
        return METHOD_3D if varying else METHOD_AXISYMMETRIC
    return asked


def _parse_solver(
    section: dict[str, Any], horn: dict[str, Any] | None, mesh: dict[str, Any], method: str
) -> dict[str, Any]:
    """``[solver]``: the method, the backend, its precision and the symmetry planes; "auto" is decided here where
    it can be (method and symmetry, from the geometry) and in the worker where it cannot (the backend)."""
    check_keys(section, ("method", "backend", "precision", "symmetry"), "solver")
    backend = _choice(section, "backend", BACKENDS)
    precision = _choice(section, "precision", PRECISIONS)
    asked = _choice(section, "symmetry", ("auto", *SYMMETRIES))
    if method == METHOD_AXISYMMETRIC:
        if asked not in ("auto", "none"):
            raise ConfigError(
                f'solver.symmetry: "{asked}" is a 3-D model\'s mirror planes, and this job is solved axisymmetrically '
                '(the whole body of revolution from its profile); set solver.method = "3d" to solve a part'
            )
        symmetry = "none"
    elif mesh["file"] is not None:
        symmetry = "none" if asked == "auto" else asked
    else:
        found = detect(horn)
        symmetry = found if asked == "auto" else asked
        if SYMMETRIES.index(symmetry) > SYMMETRIES.index(found):
            raise ConfigError(
                f'solver.symmetry: this horn is not symmetric enough for "{asked}" (its azimuth expressions allow '
                f'"{found}"); use "auto" or "{found}"'
            )
    return {"method": method, "backend": backend, "precision": precision, "symmetry": symmetry}


def _choice(section: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value = get(section, key)
    if value is None:
        return allowed[0]
    if value not in allowed:
        shown = ", ".join(f'"{a}"' for a in allowed)
        raise ConfigError(f"solver.{key}: expected one of {shown}, got {value!r}")
    return value


def _parse_sweep(section: dict[str, Any]) -> dict[str, Any]:
    check_keys(section, ("f_min", "f_max", "n", "spacing"), "sweep")
    f_min = number(section, "f_min", "sweep", REQUIRED, low=0.0, high=MAX_FREQUENCY, low_open=True, unit=" Hz")
    f_max = number(section, "f_max", "sweep", REQUIRED, low=0.0, high=MAX_FREQUENCY, low_open=True, unit=" Hz")
    if f_min >= f_max:
        raise ConfigError(f"sweep.f_min: {f_min:g} Hz must be below sweep.f_max ({f_max:g} Hz)")
    n = integer(section, "n", "sweep", 40, low=2, high=MAX_FREQUENCIES)
    spacing = section.get("spacing", "log")
    if spacing not in SPACINGS:
        raise ConfigError(f'sweep.spacing: expected "log" or "linear", got {spacing!r}')
    return {"f_min": f_min, "f_max": f_max, "n": n, "spacing": spacing}


def _parse_observation(section: dict[str, Any]) -> dict[str, Any]:
    check_keys(
        section,
        ("distance", "angles", "angle_start", "angle_end", "angle_step", "planes", "normalize_angle"),
        "observation",
    )
    distance = number(section, "distance", "observation", 2.0, low=0.0, high=10_000.0, low_open=True, unit=" m")
    explicit = get(section, "angles")
    if explicit is not None:
        for key in ("angle_start", "angle_end", "angle_step"):
            if get(section, key) is not None:
                raise ConfigError(f"observation.{key}: cannot be used together with observation.angles")
        if not isinstance(explicit, list) or not explicit:
            raise ConfigError(f"observation.angles: expected a non-empty list of degrees, got {type_name(explicit)}")
        angles = [as_number(a, f"observation.angles[{i}]", "a number") for i, a in enumerate(explicit)]
    else:
        start = number(section, "angle_start", "observation", 0.0, low=-360.0, high=360.0, unit="°")
        end = number(section, "angle_end", "observation", 180.0, low=-360.0, high=360.0, unit="°")
        step = number(section, "angle_step", "observation", 5.0, low=0.0, high=360.0, low_open=True, unit="°")
        if end < start:
            raise ConfigError(f"observation.angle_end: {end:g}° is below observation.angle_start ({start:g}°)")
        count = math.floor((end - start) / step + 1e-9) + 1
        if count > MAX_ANGLES:
            raise ConfigError(f"observation.angle_step: gives {count} angles (limit {MAX_ANGLES})")
        angles = [round(start + i * step, 9) for i in range(count)]
    if len(angles) > MAX_ANGLES:
        raise ConfigError(f"observation.angles: {len(angles)} angles (limit {MAX_ANGLES})")
    for i, angle in enumerate(angles):
        if not -360.0 <= angle <= 360.0:
            raise ConfigError(f"observation.angles[{i}]: {angle:g}° is out of range; allowed [-360, 360]°")
    if len(set(angles)) != len(angles):
        raise ConfigError("observation.angles: contains the same angle twice")

    planes = section.get("planes", list(PLANES))
    if isinstance(planes, str):
        planes = [planes]
    if not isinstance(planes, list) or not planes:
        raise ConfigError(
            f'observation.planes: expected a list like ["horizontal", "vertical"], got {type_name(planes)}'
        )
    for plane in planes:
        if plane not in PLANES:
            raise ConfigError(
                f'observation.planes: unknown plane {plane!r} (use "horizontal" = x–z plane, "vertical" = y–z plane)'
            )
    if len(set(planes)) != len(planes):
        raise ConfigError("observation.planes: lists a plane twice")

    normalize = number(section, "normalize_angle", "observation", 0.0, low=-360.0, high=360.0, unit="°")
    if normalize not in angles:
        raise ConfigError(f"observation.normalize_angle: {normalize:g}° is not one of the observation angles")
    return {"distance": distance, "angles": angles, "planes": list(planes), "normalize_angle": normalize}


def _parse_drive(section: dict[str, Any]) -> dict[str, Any]:
    check_keys(section, ("velocity", "acceleration"), "drive")
    velocity, acceleration = get(section, "velocity"), get(section, "acceleration")
    if velocity is not None and acceleration is not None:
        raise ConfigError("drive.acceleration: give drive.velocity or drive.acceleration, not both")
    if acceleration is not None:
        value = number(section, "acceleration", "drive", REQUIRED, low=0.0, high=1e6, low_open=True, unit=" m/s²")
        return {"velocity": None, "acceleration": value}
    value = number(section, "velocity", "drive", 1.0, low=0.0, high=1e4, low_open=True, unit=" m/s")
    return {"velocity": value, "acceleration": None}


def _parse_medium(section: dict[str, Any]) -> dict[str, Any]:
    check_keys(section, ("c", "rho"), "medium")
    c = number(section, "c", "medium", 343.0, low=0.0, high=10_000.0, low_open=True, unit=" m/s")
    rho = number(section, "rho", "medium", 1.205, low=0.0, high=100_000.0, low_open=True, unit=" kg/m³")
    return {"c": c, "rho": rho}


def _plain(value: float) -> float | int:
    """200.0 → 200, so list summaries read like the user's config."""
    return int(value) if float(value).is_integer() else value
