"""Two small real horn jobs that measure this machine for the estimates: one 3-D, one axisymmetric.

They are ordinary jobs: their results feed the cost model like any other finished job. The 3-D one is meshed
for its sweep (``size = "auto"``) and banded, so its bands span several sizes and the fit sees how the time
grows with the unknowns; the axisymmetric one covers the whole audio band, as a round horn's job does.
"""

from __future__ import annotations

import tomllib
from typing import Any

from engine.solvers.horn.spec import EXAMPLE_TOML

#: The reference R-OSSE horn of the commented example (round, so the 3-D job solves a quarter model).
HORN = tomllib.loads(EXAMPLE_TOML)["horn"]
OBSERVATION = {"distance": 2, "angle_step": 10, "planes": ["horizontal", "vertical"]}


def configs() -> list[dict[str, Any]]:
    """The raw configs (as a TOML file would give them) of the calibration jobs, labelled."""
    return [
        _job("calibration (3-D)", {"f_min": 300, "f_max": 4000, "n": 10}, "3d"),
        _job("calibration (axisymmetric)", {"f_min": 200, "f_max": 20000, "n": 20}, "axisymmetric"),
    ]


def _job(label: str, sweep: dict[str, Any], method: str) -> dict[str, Any]:
    return {
        "kind": "horn",
        "label": label,
        "horn": HORN,
        "mesh": {"size": "auto"},
        "sweep": sweep,
        "observation": OBSERVATION,
        "solver": {"method": method},
    }
