"""The report's line charts over log frequency: on-axis SPL, directivity index, −6 dB beamwidth and throat
impedance, defined as the app's charts define them.

With one job each quantity has its own colour; with several, colour tells the jobs apart and the line style the
quantity, as in the app. The throat impedance is drawn in the engineering convention e^(+jωt), where a mass-like
load has Im > 0: results solved under the solver's e^(−iωt) (their ``time_convention``) have Im negated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import LogLocator, MultipleLocator, NullFormatter

from engine.solvers.horn.report.document import Reported

#: Okabe–Ito colours, told apart with the common colour-vision deficiencies; the first two also serve as the
#: colours of a single job's two quantities.
JOB_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
QUANTITY_STYLES = ("-", "--")
LINE_WIDTH = 1.8


@dataclass(frozen=True)
class Chart:
    """One line chart: its title, y label, and the (legend name, key path into the results) of each quantity."""

    key: str
    title: str
    ylabel: str
    quantities: tuple[tuple[str, tuple[str, ...]], ...]


ON_AXIS = Chart("on_axis", "On-axis SPL", "SPL (dB re 20 µPa)", (("SPL", ("on_axis_spl_db",)),))
DIRECTIVITY = Chart("directivity", "Directivity index", "DI (dB)", (("DI", ("directivity_index_db",)),))
BEAMWIDTH = Chart(
    "beamwidth",
    "−6 dB beamwidth",
    "Beamwidth (°)",
    (("horizontal", ("beamwidth_6db_deg", "horizontal")), ("vertical", ("beamwidth_6db_deg", "vertical"))),
)
IMPEDANCE = Chart(
    "impedance",
    r"Throat impedance z/ρc, $e^{+j\omega t}$ (Im > 0: mass-like)",
    "z/ρc",
    (("Re", ("throat_impedance", "real")), ("Im", ("throat_impedance", "imag"))),
)
CHARTS = (ON_AXIS, DIRECTIVITY, BEAMWIDTH, IMPEDANCE)


@dataclass(frozen=True)
class Series:
    """One drawn line: the job (its index in the report), the quantity and its points."""

    job: int
    quantity: str
    x: np.ndarray
    y: np.ndarray


def _floats(values: Any) -> np.ndarray:
    """Numbers from JSON data, a missing value as NaN (a gap in the line); anything else reads as empty."""
    if not isinstance(values, list | tuple):
        return np.zeros(0)
    try:
        return np.array([math.nan if v is None else float(v) for v in values])
    except (TypeError, ValueError):
        return np.zeros(0)


def _lookup(results: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = results
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def engineering_convention(results: Mapping[str, Any]) -> bool:
    """Whether results are stated in e^(+jωt); the solver writes e^(−iωt), and results without the statement
    come from it."""
    metadata = results.get("metadata")
    convention = metadata.get("time_convention") if isinstance(metadata, Mapping) else None
    return isinstance(convention, str) and "+" in convention


def chart_series(chart: Chart, jobs: Sequence[Reported]) -> list[Series]:
    """The lines of a chart, one per (job, quantity) the results hold, in frequency order."""
    found = []
    for index, job in enumerate(jobs):
        frequencies = _floats(job.results.get("frequencies_hz"))
        order = np.argsort(frequencies, kind="stable")
        for quantity, path in chart.quantities:
            values = _floats(_lookup(job.results, path))
            if values.size == 0 or values.size != frequencies.size:
                continue
            if quantity == "Im" and not engineering_convention(job.results):
                values = -values
            found.append(Series(index, quantity, frequencies[order], values[order]))
    return found


def style(chart: Chart, series: Series, several_jobs: bool) -> dict[str, Any]:
    """Colour by quantity for one job, by job for several (then the line style tells the quantity)."""
    rank = [name for name, _ in chart.quantities].index(series.quantity)
    if several_jobs:
        return {"color": JOB_COLORS[series.job % len(JOB_COLORS)], "linestyle": QUANTITY_STYLES[rank]}
    return {"color": JOB_COLORS[rank], "linestyle": "-"}


def draw_chart(ax: Axes, chart: Chart, jobs: Sequence[Reported], f_range: tuple[float, float]) -> list[Series]:
    """Draw a chart's lines, with a legend of its quantities when it has several; returns what was drawn."""
    drawn = chart_series(chart, jobs)
    several_jobs = len(jobs) > 1
    partial = {i for i, job in enumerate(jobs) if job.partial}
    for series in drawn:
        points = {"marker": "o", "markersize": 3} if series.job in partial else {}
        label = f"{jobs[series.job].name}: {series.quantity}"
        ax.plot(series.x, series.y, linewidth=LINE_WIDTH, label=label, **style(chart, series, several_jobs), **points)
    ax.set_title(_title(chart, jobs), loc="left", fontweight="bold", parse_math=chart is IMPEDANCE)
    ax.set_ylabel(chart.ylabel)
    frequency_axis(ax, f_range)
    ax.grid(True, which="major", alpha=0.45)
    ax.grid(True, which="minor", alpha=0.15)
    values = np.concatenate([s.y for s in drawn]) if drawn else np.zeros(0)
    _fit(ax, chart, values[np.isfinite(values)])
    if len(chart.quantities) > 1 and drawn:
        _quantity_legend(ax, chart, several_jobs)
    if not drawn:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center", style="italic")
    return drawn


def _title(chart: Chart, jobs: Sequence[Reported]) -> str:
    """The on-axis chart names the observation distance when all jobs share one: SPL means little without it."""
    if chart is not ON_AXIS:
        return chart.title
    distances = {_lookup(job.results, ("observation", "distance_m")) for job in jobs}
    distance = distances.pop() if len(distances) == 1 else None
    return f"{chart.title} at {distance:g} m" if isinstance(distance, int | float) else chart.title


def frequency_axis(ax: Axes, f_range: tuple[float, float]) -> None:
    """Log frequency with 1-2-5 labels (200, 500, 1k … 20k) and unlabelled minor ticks."""
    low, high = f_range
    ax.set_xscale("log")
    ax.set_xlim(low, high)
    ticks = frequency_ticks(low, high)
    ax.set_xticks(ticks, [format_frequency(t) for t in ticks])
    ax.xaxis.set_minor_locator(LogLocator(base=10, subs=tuple(range(2, 10))))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("Frequency (Hz)")


def frequency_ticks(low: float, high: float) -> list[float]:
    """1-2-5 ticks within the range (200, 500, 1k … 20k); finer within a narrow range, decades only across so
    many decades that labels would crowd."""
    decades = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    choices = ((1,),) if len(decades) > 6 else ((1, 2, 5), (1, 2, 3, 4, 5, 6, 8))
    ticks: list[float] = []
    for mantissas in choices:
        ticks = [m * 10.0**e for e in decades for m in mantissas if low * 0.999 <= m * 10.0**e <= high * 1.001]
        if len(ticks) >= 4:
            break
    return ticks


def format_frequency(hz: float) -> str:
    """200, 500, 1k, 2.5k, 20k."""
    return f"{hz / 1000:g}k" if hz >= 1000 else f"{hz:g}"


def _fit(ax: Axes, chart: Chart, values: np.ndarray) -> None:
    """Y limits around the data on round values: SPL and DI to whole steps of 5 and 2 dB with room for ripple,
    beamwidth from 0° in steps of 30°, impedance including 0."""
    if values.size == 0:
        return
    low, high = float(values.min()), float(values.max())
    if chart is BEAMWIDTH:
        top = min(max(30.0 * math.ceil(high / 30.0 + 1e-9), 90.0), 360.0)
        ax.set_ylim(0.0, top)
        ax.yaxis.set_major_locator(MultipleLocator(30.0 if top <= 180 else 60.0))
        return
    if chart is IMPEDANCE:
        low, high = min(low, 0.0), max(high, 0.0)
        pad = 0.08 * max(high - low, 0.5)
        ax.set_ylim(low - pad, high + pad)
        ax.axhline(0.0, color="0.3", linewidth=0.8)
        return
    step, span = (5.0, 20.0) if chart is ON_AXIS else (2.0, 10.0)
    middle = (low + high) / 2
    low, high = min(low - 1.0, middle - span / 2), max(high + 1.0, middle + span / 2)
    ax.set_ylim(step * math.floor(low / step), step * math.ceil(high / step))
    ax.yaxis.set_major_locator(MultipleLocator(step))


def _quantity_legend(ax: Axes, chart: Chart, several_jobs: bool) -> None:
    """Which line is which quantity: by colour for one job, by line style (drawn in grey) for several."""
    handles = [
        Line2D(
            [],
            [],
            color="0.25" if several_jobs else JOB_COLORS[rank],
            linestyle=QUANTITY_STYLES[rank] if several_jobs else "-",
            linewidth=LINE_WIDTH,
            label=name,
        )
        for rank, (name, _) in enumerate(chart.quantities)
    ]
    ax.legend(handles=handles, loc="best", framealpha=0.85)
