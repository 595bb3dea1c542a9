"""Two small real horn jobs that measure this machine for the estimates: one 3-D, one axisymmetric.

They are ordinary jobs: their results feed the cost model like any other finished job. The 3-D one is meshed
for its sweep (``size = "auto"``) and banded, so its bands span several sizes and the fit sees how the time
grows with the unknowns; the axisymmetric one covers the whole audio band, as a round horn's job does.
"""

from __future__ import annotations

from typing import Any

#: The reference R-OSSE horn of the shipped example (round, so the 3-D job solves a quarter model).
HORN = {
    "formula": "R-OSSE",
    "R": 130,
    "a": 40,
    "r0": 12.7,
    "a0": 9,
    "k": 1,
    "r": 0.25,
    "m": 0.8,
    "b": 0.25,
    "q": 3,
    "wall_thickness": 5,
}
OBSERVATION = {"distance": 2, "angle_step": 10, "planes": ["horizontal", "vertical"]}


def configs() -> list[dict[str, Any]]:
    """The raw configs (as a TOML file would give them) of the calibration jobs, labelled."""
    three_d = {
        "kind": "horn",
        "label": "calibration (3-D)",
        "horn": HORN,
        "mesh": {"size": "auto"},
        "sweep": {"f_min": 300, "f_max": 4000, "n": 10},
        "observation": OBSERVATION,
        "solver": {"method": "3d"},
    }
    axisymmetric = {
        "kind": "horn",
        "label": "calibration (axisymmetric)",
        "horn": HORN,
        "mesh": {"size": "auto"},
        "sweep": {"f_min": 200, "f_max": 20000, "n": 20},
        "observation": OBSERVATION,
        "solver": {"method": "axisymmetric"},
    }
    return [three_d, axisymmetric]
