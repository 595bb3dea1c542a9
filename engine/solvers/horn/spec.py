"""What a horn config may say: its sections, the profile parameters with defaults and allowed ranges, the
limits that keep a job solvable, and the commented example users start from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from typing import Any

SECTIONS = ("horn", "mesh", "sweep", "observation", "drive", "medium", "solver")
#: Formula names as users spell them, keyed without case, hyphens, underscores or spaces.
FORMULAS = {"ROSSE": "R-OSSE", "OSSE": "OS-SE"}
SPACINGS = ("log", "linear")

MAX_FREQUENCY = 100_000.0
MAX_FREQUENCIES = 1000
MAX_ANGLES = 721
MAX_LENGTH_MM = 10_000.0
#: Azimuths at which expression-valued parameters are checked (every 5°).
CHECK_AZIMUTHS = 72
#: Profile points per azimuth used by the validation checks.
CHECK_POINTS = 96

#: Default of a value the user must give.
REQUIRED: Any = object()


@dataclass(frozen=True)
class Param:
    """One numeric horn parameter: default, allowed interval and whether it may depend on azimuth."""

    default: Any = REQUIRED
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    expression: bool = True
    unit: str = ""


_ANGLE = {"low": 0.0, "high": 90.0, "high_open": True, "unit": "°"}
ROSSE_SPEC: dict[str, Param] = {
    "R": Param(low=0.0, high=MAX_LENGTH_MM, low_open=True, unit=" mm"),
    "a": Param(**{**_ANGLE, "low_open": True}),
    "r0": Param(low=0.0, high=MAX_LENGTH_MM, low_open=True, expression=False, unit=" mm"),
    "a0": Param(default=0.0, **_ANGLE),
    "k": Param(default=1.0, low=0.0, high=100.0, low_open=True),
    "r": Param(default=0.4, low=0.0, high=100.0, low_open=True),
    "m": Param(default=0.85, low=0.0, high=10.0),
    "b": Param(default=0.2, low=-10.0, high=10.0),
    "q": Param(default=3.4, low=0.0, high=100.0, low_open=True),
    "tmax": Param(default=1.0, low=0.0, high=1.0, low_open=True, expression=False),
}
OSSE_SPEC: dict[str, Param] = {
    "r0": Param(low=0.0, high=MAX_LENGTH_MM, low_open=True, expression=False, unit=" mm"),
    "a0": Param(default=0.0, **_ANGLE),
    "a": Param(**{**_ANGLE, "low_open": True}),
    "k": Param(default=1.0, low=0.0, high=100.0, low_open=True),
    "L": Param(low=0.0, high=MAX_LENGTH_MM, low_open=True, unit=" mm"),
    "s": Param(default=0.7, low=0.0, high=100.0),
    "n": Param(default=4.0, low=0.0, high=100.0, low_open=True),
    "q": Param(default=0.995, low=0.0, high=100.0, low_open=True),
}
#: 3 mm, not thicker: typical R-OSSE mouths (r = 0.4, q = 3.4) roll back with a bend radius of ~5 mm,
#: and a wall thicker than the bend radius folds the outer shell (refused by the profile check).
WALL_THICKNESS = Param(default=3.0, low=0.0, high=100.0, low_open=True, expression=False, unit=" mm")
FORMULA_SPECS = {"R-OSSE": ROSSE_SPEC, "OS-SE": OSSE_SPEC}

#: The commented example job, printed by ``hornq config example horn``; shipped as package data.
EXAMPLE_TOML = resources.files("engine.solvers.horn").joinpath("example.toml").read_text(encoding="utf-8")
