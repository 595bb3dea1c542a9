"""Typed, read-only access to a normalised horn config, for the mesher and the solver.

``validation.parse`` produces the normalised dict (JSON-serialisable, every default filled, so a stored job
can be re-run exactly); ``HornConfig.from_dict`` turns it into frozen dataclasses. Pure Python: validation
samples the profiles through ``HornGeometry`` in the CLI process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.solvers.horn import profiles
from engine.solvers.horn.expr import parse_expression


@dataclass(frozen=True)
class HornGeometry:
    """Profile formula and parameters (mm, degrees); values may be azimuth expressions (strings)."""

    formula: str
    params: Mapping[str, float | str]
    wall_thickness: float
    _functions: dict[str, Callable[[float], float]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        functions: dict[str, Callable[[float], float]] = {}
        for name, value in self.params.items():
            if isinstance(value, str):
                functions[name] = parse_expression(value, f"horn.{name}")
            else:
                functions[name] = lambda p, v=float(value): v
        object.__setattr__(self, "_functions", functions)

    @classmethod
    def from_horn(cls, horn: Mapping[str, Any]) -> HornGeometry:
        """The geometry of a normalised ``[horn]`` table."""
        params = {k: v for k, v in horn.items() if k not in ("formula", "wall_thickness")}
        return cls(horn["formula"], params, float(horn["wall_thickness"]))

    @property
    def axisymmetric(self) -> bool:
        return not any(isinstance(value, str) for value in self.params.values())

    def parameters_at(self, p: float) -> dict[str, float]:
        """All profile parameters evaluated at azimuth ``p`` (radians)."""
        return {name: function(p) for name, function in self._functions.items()}

    def profile(self, p: float, n: int) -> list[profiles.Point]:
        """``n`` profile points (axial x, radius y) in mm at azimuth ``p``, throat first."""
        values = self.parameters_at(p)
        if self.formula == "R-OSSE":
            return profiles.rosse_profile(values, n, values["tmax"])
        return profiles.osse_profile(values, n)


@dataclass(frozen=True)
class MeshSettings:
    """``size`` is "auto" (from the wavelength), "manual" (given sizes) or "file" (user's mesh)."""

    size: str
    elements_per_wavelength: float
    throat_size: float | None
    mouth_size: float | None
    file: str | None
    scale: float | None
    #: Solve each frequency band on the coarsest mesh that resolves it (configs queued before bands: true).
    banded: bool = True
    #: Store every band's mesh (``mesh-band1.msh``…) beside the finest one (``mesh.msh``).
    keep_band_meshes: bool = False
    #: ``file`` is a profile of line elements in the plane y = 0 (x the radius), for the axisymmetric method.
    axisymmetric: bool = False


@dataclass(frozen=True)
class Sweep:
    f_min: float
    f_max: float
    n: int
    spacing: str

    def frequencies(self) -> list[float]:
        """Log: fᵢ = f1 (f2/f1)^(i/(N−1)), as ATH/ABEC users expect; linear otherwise."""
        steps = self.n - 1
        if self.spacing == "log":
            ratio = self.f_max / self.f_min
            return [self.f_min * ratio ** (i / steps) for i in range(self.n)]
        return [self.f_min + (self.f_max - self.f_min) * i / steps for i in range(self.n)]


@dataclass(frozen=True)
class Observation:
    """Polar observation: radius in metres, angles in degrees off axis, planes through the axis."""

    distance: float
    angles: tuple[float, ...]
    planes: tuple[str, ...]
    normalize_angle: float


@dataclass(frozen=True)
class Drive:
    """Exactly one of ``velocity`` (m/s) or ``acceleration`` (m/s²) is set."""

    velocity: float | None
    acceleration: float | None


@dataclass(frozen=True)
class SolverSettings:
    """``backend`` and ``precision`` as asked ("auto" is settled per worker); ``method`` ("3d" or "axisymmetric")
    and ``symmetry`` as settled at submit (configs queued before the axisymmetric method: "3d")."""

    method: str = "3d"
    backend: str = "auto"
    precision: str = "auto"
    symmetry: str = "none"


@dataclass(frozen=True)
class Medium:
    c: float
    rho: float


@dataclass(frozen=True)
class HornConfig:
    """Typed, read-only view of a normalised horn config (the dict ``parse`` returns)."""

    horn: HornGeometry | None
    mesh: MeshSettings
    sweep: Sweep
    observation: Observation
    drive: Drive
    medium: Medium
    solver: SolverSettings

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> HornConfig:
        horn = d.get("horn")
        obs = d["observation"]
        return cls(
            horn=None if horn is None else HornGeometry.from_horn(horn),
            mesh=MeshSettings(**d["mesh"]),
            sweep=Sweep(**d["sweep"]),
            observation=Observation(
                float(obs["distance"]),
                tuple(obs["angles"]),
                tuple(obs["planes"]),
                float(obs["normalize_angle"]),
            ),
            drive=Drive(**d["drive"]),
            medium=Medium(**d["medium"]),
            solver=SolverSettings(**(d.get("solver") or {})),
        )

    @property
    def formula_type(self) -> str:
        """ "R-OSSE", "OS-SE", or "file" when a user's mesh replaces the generated one."""
        if self.mesh.file is not None or self.horn is None:
            return "file"
        return self.horn.formula


def sweep_frequencies(cfg: HornConfig | Mapping[str, Any]) -> list[float]:
    """The solve frequencies (Hz) of a HornConfig or a normalised config dict."""
    sweep = cfg.sweep if isinstance(cfg, HornConfig) else Sweep(**cfg["sweep"])
    return sweep.frequencies()
