"""Figures of merit of a horn result: what a designer reads off the charts, as numbers to sort and compare.

Every curve is read as a function of log frequency, linear between the sweep's points, so values at 1, 2, 4, 8
and 16 kHz and averages over a band do not depend on how densely or how (log or linear) the sweep was spaced:

- ``di_1k`` … ``di_16k``: directivity index (dB) at that frequency; null outside the sweep.
- ``di_mean``: DI averaged over the band (default 1–10 kHz, cut to the sweep), each octave weighing the same.
- ``bw_h_1k`` … / ``bw_v_1k`` …: −6 dB beamwidth (full angle, degrees) per plane at those frequencies.
- ``bw_h_spread`` / ``bw_v_spread``: max − min of the beamwidth over the band (degrees); 0 is perfectly constant
  directivity.
- ``on_axis_dev``: rms deviation (dB) of the on-axis response from its own average over the band.
- ``z_ripple``: max − min of the real part of the normalised throat impedance (z/ρc) from ``ripple_above_hz``
  (default 1 kHz) to the top of the sweep.
- ``control_h_hz`` / ``control_v_hz``: the lowest frequency from which the beamwidth stays within ± tolerance
  (default 15 %) of the horn's coverage angle (2·a at azimuth 0° for horizontal, 90° for vertical) all the way
  up to the top of the band; between two sweep points the crossing is interpolated. Null when the beamwidth
  does not hold at the top of the band, or when the coverage is unknown (a user's own mesh).

Pure Python on the stored results (tens of frequencies, a few angles): the engine computes metrics when a horn
job completes, in the transaction that stores its results, without loading numpy into the engine process.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from engine.solvers.horn.constants import HORIZONTAL, VERTICAL

#: Bumped when a definition changes, so stored metrics of an older definition are recomputed on demand.
VERSION = 2
POINTS_HZ = (1000.0, 2000.0, 4000.0, 8000.0, 16000.0)
PLANES = {HORIZONTAL: "h", VERTICAL: "v"}
#: Azimuth of each plane around the horn axis (p in the profile expressions): horizontal is x–z, vertical y–z.
PLANE_AZIMUTH = {HORIZONTAL: 0.0, VERTICAL: math.pi / 2}
DIGITS = 4


@dataclass(frozen=True)
class MetricSettings:
    """The choices behind the numbers; stored with them so a table can say what it shows."""

    band_hz: tuple[float, float] = (1000.0, 10000.0)
    ripple_above_hz: float = 1000.0
    tolerance: float = 0.15

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["band_hz"] = list(self.band_hz)
        data["points_hz"] = list(POINTS_HZ)
        return data


DEFAULTS = MetricSettings()


@dataclass(frozen=True)
class Metric:
    """A column of the comparison table; ``better`` is "lower" when smaller is plainly better, else None."""

    key: str
    title: str
    unit: str
    better: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def point_name(hz: float) -> str:
    """1000 → "1k", 16000 → "16k"."""
    return f"{hz / 1000:g}k"


def _catalogue() -> tuple[Metric, ...]:
    points = [point_name(hz) for hz in POINTS_HZ]
    return (
        *(Metric(f"di_{p}", f"DI {p}", "dB") for p in points),
        Metric("di_mean", "DI mean", "dB"),
        *(Metric(f"bw_{s}_{p}", f"BW {s.upper()} {p}", "°") for s in PLANES.values() for p in points),
        *(Metric(f"bw_{s}_spread", f"BW {s.upper()} spread", "°", "lower") for s in PLANES.values()),
        Metric("on_axis_dev", "Axis dev", "dB", "lower"),
        Metric("z_ripple", "Re z ripple", "z/ρc", "lower"),
        *(Metric(f"control_{s}_hz", f"Control {s.upper()}", "Hz", "lower") for s in PLANES.values()),
    )


METRICS = _catalogue()
BY_KEY = {metric.key: metric for metric in METRICS}
#: Shown first (and alone in the text table): the figures a designer ranks horns by.
COLUMNS = ("di_mean", "bw_h_spread", "bw_v_spread", "on_axis_dev", "z_ripple", "control_h_hz", "control_v_hz")


@dataclass(frozen=True)
class Curve:
    """A quantity against ln f, linear between points: the reading of a sweep every metric shares."""

    x: tuple[float, ...]
    y: tuple[float, ...]

    @classmethod
    def of(cls, freqs: Any, values: Any) -> Curve | None:
        """The finite points of a results array (sorted by frequency), or None when fewer than two remain."""
        if not isinstance(freqs, list) or not isinstance(values, list):
            return None
        pairs = sorted(
            (math.log(f), float(v)) for f, v in zip(freqs, values, strict=False) if _finite(f) and f > 0 and _finite(v)
        )
        if len(pairs) < 2:
            return None
        return cls(tuple(p[0] for p in pairs), tuple(p[1] for p in pairs))

    def at(self, hz: float) -> float | None:
        """The value at ``hz``, or None outside the sweep."""
        x = math.log(hz)
        if x < self.x[0] - 1e-9 or x > self.x[-1] + 1e-9:
            return None
        i = min(max(bisect.bisect_left(self.x, x), 1), len(self.x) - 1)
        x0, x1, y0, y1 = self.x[i - 1], self.x[i], self.y[i - 1], self.y[i]
        return y0 + (y1 - y0) * (x - x0) / (x1 - x0)

    def clip(self, low_hz: float, high_hz: float) -> Curve | None:
        """The part between two frequencies (ends interpolated), or None when it has no width inside the sweep."""
        low, high = max(math.log(low_hz), self.x[0]), min(math.log(high_hz), self.x[-1])
        if high - low < 1e-9:
            return None
        inner = [(x, y) for x, y in zip(self.x, self.y, strict=True) if low + 1e-9 < x < high - 1e-9]
        xs = (low, *(p[0] for p in inner), high)
        ys = (self._at_log(low), *(p[1] for p in inner), self._at_log(high))
        return Curve(xs, ys)

    def _at_log(self, x: float) -> float:
        value = self.at(math.exp(x))
        assert value is not None  # x lies inside the sweep by construction
        return value

    def mean(self) -> float:
        """Average over the curve's width in ln f (exact for the piecewise-linear reading)."""
        area = sum((x1 - x0) * (y0 + y1) / 2 for x0, x1, y0, y1 in self._segments())
        return area / (self.x[-1] - self.x[0])

    def rms_deviation(self) -> float:
        """rms of the curve minus its mean, integrated exactly over each linear segment."""
        m = self.mean()
        total = sum(
            (x1 - x0) * ((y0 - m) ** 2 + (y0 - m) * (y1 - m) + (y1 - m) ** 2) / 3 for x0, x1, y0, y1 in self._segments()
        )
        return math.sqrt(max(total, 0.0) / (self.x[-1] - self.x[0]))

    def spread(self) -> float:
        return max(self.y) - min(self.y)

    def _segments(self) -> list[tuple[float, float, float, float]]:
        return [(self.x[i], self.x[i + 1], self.y[i], self.y[i + 1]) for i in range(len(self.x) - 1)]


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def control_frequency(beamwidth: Curve, target: float, tolerance: float, top_hz: float) -> float | None:
    """Lowest frequency from which the beamwidth stays within ±tolerance·target of target up to ``top_hz``."""
    band = beamwidth.clip(math.exp(beamwidth.x[0]), top_hz)
    if band is None:
        return None
    limit = tolerance * target

    def holds(width: float) -> bool:
        return abs(width - target) <= limit + 1e-9

    if not holds(band.y[-1]):
        return None
    i = len(band.x) - 1
    while i > 0 and holds(band.y[i - 1]):
        i -= 1
    if i == 0:
        return math.exp(band.x[0])
    x0, x1, y0, y1 = band.x[i - 1], band.x[i], band.y[i - 1], band.y[i]
    edge = target + limit if y0 > target else target - limit
    return math.exp(x0 + (x1 - x0) * (edge - y0) / (y1 - y0))


def coverage_deg(config: Mapping[str, Any]) -> dict[str, float | None]:
    """The horn's nominal full coverage angle per plane (2·a at the plane's azimuth), from its stored config.

    None for both planes when the job solved a user's mesh (no profile, so no stated coverage).
    """
    horn = config.get("horn")
    if not isinstance(horn, Mapping) or "a" not in horn:
        return dict.fromkeys(PLANES)
    from engine.solvers.horn.expr import parse_expression

    half = horn["a"]
    angle = parse_expression(half, "horn.a") if isinstance(half, str) else (lambda _p: float(half))
    return {plane: round(2 * angle(p), 6) for plane, p in PLANE_AZIMUTH.items()}


def compute(
    results: Mapping[str, Any], coverage: Mapping[str, float | None], settings: MetricSettings = DEFAULTS
) -> dict[str, Any]:
    """Every metric of one result (null where the data does not reach), with the settings that define them."""
    freqs = results.get("frequencies_hz")
    low, high = settings.band_hz
    swept = [f for f in freqs if _finite(f) and f > 0] if isinstance(freqs, list) else []
    used = [max(low, min(swept)), min(high, max(swept))] if swept else None
    values: dict[str, float | None] = {}

    di = Curve.of(freqs, results.get("directivity_index_db"))
    for hz in POINTS_HZ:
        values[f"di_{point_name(hz)}"] = di.at(hz) if di else None
    di_band = di.clip(low, high) if di else None
    values["di_mean"] = di_band.mean() if di_band else None

    widths = results.get("beamwidth_6db_deg")
    for plane, short in PLANES.items():
        curve = Curve.of(freqs, widths.get(plane)) if isinstance(widths, Mapping) else None
        for hz in POINTS_HZ:
            values[f"bw_{short}_{point_name(hz)}"] = curve.at(hz) if curve else None
        band = curve.clip(low, high) if curve else None
        values[f"bw_{short}_spread"] = band.spread() if band else None
        target = coverage.get(plane)
        values[f"control_{short}_hz"] = (
            control_frequency(curve, target, settings.tolerance, high) if curve and target else None
        )

    axis = Curve.of(freqs, results.get("on_axis_spl_db"))
    axis_band = axis.clip(low, high) if axis else None
    values["on_axis_dev"] = axis_band.rms_deviation() if axis_band else None

    impedance = results.get("throat_impedance")
    real = Curve.of(freqs, impedance.get("real")) if isinstance(impedance, Mapping) else None
    above = real.clip(settings.ripple_above_hz, math.exp(real.x[-1])) if real else None
    values["z_ripple"] = above.spread() if above else None

    rounded = {key: None if value is None else round(value, DIGITS) for key, value in values.items()}
    return {
        "version": VERSION,
        "settings": {
            **settings.as_json(),
            "coverage_deg": dict(coverage),
            "band_used_hz": used if used and used[1] > used[0] else None,
        },
        "values": {metric.key: rounded[metric.key] for metric in METRICS},
    }


def best(rows: Sequence[Mapping[str, float | None]]) -> dict[str, list[int]]:
    """For each metric with a better direction, the indexes of the rows holding the best value (all of a tie)."""
    winners = {}
    for metric in METRICS:
        if metric.better != "lower":
            continue
        present = [(value, i) for i, row in enumerate(rows) if (value := row.get(metric.key)) is not None]
        if present:
            lowest = min(value for value, _ in present)
            winners[metric.key] = [i for value, i in present if value == lowest]
    return winners


def evaluate(
    results: Mapping[str, Any], config: Mapping[str, Any], settings: MetricSettings = DEFAULTS
) -> dict[str, Any] | None:
    """The metrics of a stored job (its results and config), or None for results without a frequency sweep."""
    if "frequencies_hz" not in results:
        return None
    return compute(results, coverage_deg(config), settings)
