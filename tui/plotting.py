"""What every chart shares: the charted data's shape, round tick values and their labels, and line colours.

Every chart takes a list of ``(label, results)`` pairs, ``results`` being the dict ``hornq results ID --json``
prints. Several pairs overlay jobs for comparison, one colour per job. Charts read the results tolerantly: a
missing plane or quantity shows as "no data" instead of an exception, because results from older or partial
runs must still open.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

Results = Mapping[str, Any]
ChartedJob = tuple[str, Results]
"""One job to chart: its display label and its results dict."""

#: Theme colours tried in order for chart lines; ``secondary`` is left out as themes often make it dim.
THEME_SERIES = ("primary", "accent", "success", "error", "warning")
#: Okabe–Ito colours, distinguishable with common colour-vision deficiencies, used once theme colours run out.
FALLBACK_SERIES = ("#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#F0E442", "#D55E00", "#0072B2")


def distinct_names(named: Sequence[tuple[str, str | None]]) -> list[str]:
    """Chart names of jobs given as (id, name or None): the name, else the short id; a name several jobs share
    gets each one's short id, so an overlay's legend tells them apart."""
    names = [name or job_id[:8] for job_id, name in named]
    counts = Counter(names)
    return [
        f"{name} {job_id[:8]}" if counts[name] > 1 and name != job_id[:8] else name
        for (job_id, _), name in zip(named, names, strict=True)
    ]


def format_frequency(hz: float) -> str:
    """Frequency as a short tick label: 200, 500, 1k, 2.5k, 20k."""
    if hz >= 1000:
        return f"{hz / 1000:g}k"
    return f"{hz:g}"


def frequency_ticks(f_min: float, f_max: float, width: int) -> list[float]:
    """1-2-5 ticks between ``f_min`` and ``f_max`` that fit ``width`` columns of a log axis without colliding.

    Falls back to 1-5 and then to decades only when the axis is too narrow, so 80 columns still show
    200, 500, 1k, 2k, 5k, 10k, 20k for the usual sweep.
    """
    if f_min <= 0 or f_max <= f_min:
        return [f_min] if f_min > 0 else []
    lo, hi = math.log10(f_min), math.log10(f_max)
    decades = range(math.floor(lo), math.ceil(hi) + 1)
    for mantissas in ((1, 2, 5), (1, 5), (1,)):
        ticks = [m * 10.0**e for e in decades for m in mantissas]
        ticks = sorted(t for t in ticks if f_min * 0.999 <= t <= f_max * 1.001)
        columns = [(math.log10(t) - lo) / (hi - lo) * max(width - 1, 1) for t in ticks]
        labels = [len(format_frequency(t)) + 1 for t in ticks]
        if all(b - a >= need for a, b, need in zip(columns, columns[1:], labels, strict=False)):
            return ticks
    return ticks


def nice_ticks(lo: float, hi: float, max_ticks: int, steps: Sequence[float] = ()) -> list[float]:
    """Round tick values covering ``lo``…``hi`` with at most ``max_ticks`` ticks.

    ``steps`` gives the allowed step sizes (e.g. 15°, 30°, 45° for angles); by default a 1-2-5 series in
    every decade. The first and last ticks enclose the data, so they double as the axis limits.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0, 1.0]
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    raw = (hi - lo) / max(max_ticks - 1, 1)
    if steps:
        step = next((s for s in sorted(steps) if s >= raw), max(steps))
        while (hi - lo) / step > max_ticks * 4:
            step *= 2
    else:
        magnitude = 10.0 ** math.floor(math.log10(raw))
        step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    start = math.floor(lo / step + 1e-9) * step
    count = math.ceil((hi - start) / step - 1e-9)
    return [round(start + i * step, 10) for i in range(count + 1)]


def format_tick(value: float) -> str:
    """A tick value without needless decimals (and never "-0")."""
    return f"{value:g}" if value != 0 else "0"


def theme_series_colors(variables: Mapping[str, str], count: int) -> list[str]:
    """``count`` distinct line colours: the theme's main colours first, then a colour-blind-safe palette."""
    colors: list[str] = []
    for name in THEME_SERIES:
        value = variables.get(name)
        if value and value.upper() not in colors:
            colors.append(value.upper())
    colors.extend(c for c in FALLBACK_SERIES if c not in colors)
    return [colors[i % len(colors)] for i in range(count)]


def float_list(values: Any) -> list[float]:
    """A list of floats from JSON data; anything that is not a list of numbers reads as empty."""
    if not isinstance(values, list | tuple):
        return []
    try:
        return [float(v) if v is not None else math.nan for v in values]
    except (TypeError, ValueError):
        return []
