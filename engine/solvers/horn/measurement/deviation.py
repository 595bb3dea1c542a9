"""How far a simulated on-axis response is from a measured one, in pure Python (the engine's process compares).

A measured level is in its own units and at its own distance (a microphone's calibration, 1 m or 2 m, the drive
voltage), so only the shape compares: the rms over the band of the difference between the two curves after
removing its mean, both read against log frequency and linear between their points, as every horn metric is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from engine.solvers.horn.metrics import DIGITS, Curve


def on_axis_deviation(
    results: Mapping[str, Any], measured: Mapping[str, Any], band_hz: Sequence[float]
) -> float | None:
    """rms (dB) of simulated − measured on-axis SPL over the band, mean removed; None without a shared band."""
    simulated = Curve.of(results.get("frequencies_hz"), results.get("on_axis_spl_db"))
    truth = Curve.of(measured.get("frequencies_hz"), measured.get("on_axis_spl_db"))
    if simulated is None or truth is None:
        return None
    low = max(math.log(band_hz[0]), simulated.x[0], truth.x[0])
    high = min(math.log(band_hz[1]), simulated.x[-1], truth.x[-1])
    if high - low < 1e-9:
        return None
    inner = {x for x in (*simulated.x, *truth.x) if low < x < high}
    xs = (low, *sorted(inner), high)
    difference = [_at(simulated, x) - _at(truth, x) for x in xs]
    return round(Curve(xs, tuple(difference)).rms_deviation(), DIGITS)


def _at(curve: Curve, x: float) -> float:
    """The curve at ln f = ``x``, a point known to lie inside it (clamped against rounding at the ends)."""
    value = curve.at(math.exp(min(max(x, curve.x[0]), curve.x[-1])))
    assert value is not None
    return value
