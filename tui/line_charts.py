"""Line charts of a horn job's results over a log frequency axis, drawn with plotext through textual-plotext.

With one job each quantity gets its own colour; with several, colour identifies the job and the line style the
quantity.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.color import Color
from textual.geometry import Size
from textual.widget import Widget
from textual_plotext import PlotextPlot

from tui.plotting import (
    ChartedJob,
    float_list,
    format_frequency,
    format_tick,
    frequency_ticks,
    nice_ticks,
    theme_series_colors,
)


def _rgb(color: str) -> tuple[int, int, int]:
    return Color.parse(color).rgb


def _finite_pairs(xs: Sequence[float], ys: Sequence[float]) -> tuple[list[float], list[float]]:
    """Points plottable on a log x axis: both finite and x > 0 (an SPL of −inf from a null is dropped)."""
    pairs = [(x, y) for x, y in zip(xs, ys, strict=False) if math.isfinite(x) and x > 0 and math.isfinite(y)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


@dataclass(frozen=True)
class Trace:
    """One line of a chart: which job and which quantity it shows, and its points."""

    job: int
    job_label: str
    quantity: str
    x: list[float]
    y: list[float]


#: Line styles per quantity when several jobs share a chart (colour then tells jobs apart).
_MARKERS = ("hd", "braille")
_LEGEND_STROKES = ("━━", "┄┄")


class TracePlot(PlotextPlot):
    """A plotext plot that redraws its traces on every render, so size, ticks and colours are always current.

    Rebuilding on render is cheap at these sizes (tens of points per line) and makes resize and theme
    changes need no bookkeeping.
    """

    def __init__(self, *, y_steps: Sequence[float] = (), id: str | None = None) -> None:
        super().__init__(id=id)
        self.traces: list[Trace] = []
        self.trace_colors: list[str] = []
        self.trace_markers: list[str] = []
        self._y_steps = tuple(y_steps)

    def render(self) -> RenderResult:
        plt = self.plt
        plt.clear_figure()
        points = [(x, y) for trace in self.traces for x, y in zip(trace.x, trace.y, strict=True)]
        if not points:
            return Text("no data", style="italic", justify="center")
        plt.xscale("log")
        for trace, color, marker in zip(self.traces, self.trace_colors, self.trace_markers, strict=True):
            if trace.x:
                plt.plot(trace.x, trace.y, color=_rgb(color), marker=marker)
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        canvas_width = max(self.size.width - 8, 10)
        ticks = frequency_ticks(min(xs), max(xs), canvas_width)
        plt.xticks(ticks, [format_frequency(t) for t in ticks])
        canvas_rows = max(self.size.height - 3, 2)
        y_ticks = nice_ticks(min(ys), max(ys), max(2, canvas_rows // 3 + 1), self._y_steps)
        plt.ylim(y_ticks[0], y_ticks[-1])
        plt.yticks(y_ticks, [format_tick(t) for t in y_ticks])
        return super().render()


class LineChart(Widget):
    """Base of the frequency-response charts: a title with a legend above a log-frequency plot.

    Subclasses say what to draw by implementing ``traces``; colours follow the app theme. With one job each
    quantity gets its own colour; with several, colour identifies the job and the line style the quantity.
    """

    DEFAULT_CSS = """
    LineChart {
        height: 1fr;
        background: $surface;
    }
    LineChart > .chart-legend {
        height: auto;
        max-height: 2;
        padding: 0 1;
        background: $surface;
    }
    """

    TITLE: ClassVar[str] = ""
    QUANTITIES: ClassVar[tuple[str, ...]] = ()
    Y_STEPS: ClassVar[tuple[float, ...]] = ()

    def __init__(
        self,
        charted: Sequence[ChartedJob] = (),
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.charted: list[ChartedJob] = list(charted)

    def compose(self) -> ComposeResult:
        yield _Legend(classes="chart-legend")
        yield TracePlot(y_steps=self.Y_STEPS)

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.replot())
        self.replot()

    def set_results(self, charted: Sequence[ChartedJob]) -> None:
        """Show new results (one pair, or several to overlay)."""
        self.charted = list(charted)
        if self.is_mounted:
            self.replot()

    def title(self) -> str:
        """The chart's title, shown before the legend."""
        return self.TITLE

    def traces(self) -> list[Trace]:
        """The lines to draw, one per (job, quantity) present in the results."""
        raise NotImplementedError

    def replot(self) -> None:
        """Recompute traces, colours and legend; the plot itself redraws at its next render."""
        traces = self.traces()
        several_jobs = len({t.job for t in traces}) > 1
        quantities = [q for q in self.QUANTITIES if any(t.quantity == q for t in traces)] or [""]
        if several_jobs:
            palette = theme_series_colors(self.app.theme_variables, max(t.job for t in traces) + 1)
            colors = [palette[t.job] for t in traces]
            markers = [_MARKERS[quantities.index(t.quantity) % len(_MARKERS)] for t in traces]
        else:
            palette = theme_series_colors(self.app.theme_variables, len(quantities))
            colors = [palette[quantities.index(t.quantity)] for t in traces]
            markers = ["hd"] * len(traces)
        plot = self.query_one(TracePlot)
        plot.traces, plot.trace_colors, plot.trace_markers = traces, colors, markers
        plot.refresh()
        self.query_one(_Legend).update(self._legend(traces, colors, markers, several_jobs, len(quantities) > 1))

    def _legend(
        self, traces: list[Trace], colors: list[str], markers: list[str], several_jobs: bool, several_quantities: bool
    ) -> Text:
        legend = Text(self.title(), style="bold")
        if not traces:
            legend.append("  no data", style="italic")
            return legend
        for trace, color, marker in zip(traces, colors, markers, strict=True):
            parts = [trace.job_label] if several_jobs or not several_quantities else []
            if several_quantities:
                parts.append(trace.quantity)
            legend.append("  ")
            legend.append(_LEGEND_STROKES[_MARKERS.index(marker)], style=Style(color=color, bold=True))
            legend.append(" " + " ".join(parts))
        return legend


class _Legend(Widget):
    """A one- or two-line text area holding a chart's title and legend."""

    def __init__(self, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self._text = Text()

    def update(self, text: Text) -> None:
        self._text = text
        self.refresh(layout=True)

    def render(self) -> RenderResult:
        return self._text

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self._text.wrap(self.app.console, max(width, 1))))


def _line_traces(charted: Sequence[ChartedJob], quantities: Sequence[tuple[str, tuple[str, ...]]]) -> list[Trace]:
    """Traces for (quantity name, key path into the results) pairs, skipping whatever a job lacks."""
    traces = []
    for job, (label, results) in enumerate(charted):
        freqs = float_list(results.get("frequencies_hz"))
        for quantity, path in quantities:
            value: Any = results
            for key in path:
                value = value.get(key) if isinstance(value, Mapping) else None
            values = float_list(value)
            if values:
                x, y = _finite_pairs(freqs, values)
                traces.append(Trace(job, label, quantity, x, y))
    return traces


class OnAxisChart(LineChart):
    """On-axis SPL at the observation distance versus frequency."""

    TITLE = "On-axis SPL (dB)"
    QUANTITIES = ("SPL",)

    def traces(self) -> list[Trace]:
        return _line_traces(self.charted, [("SPL", ("on_axis_spl_db",))])

    def title(self) -> str:
        """Names the observation distance when all jobs share one, since SPL means little without it."""
        distances = set()
        for _, results in self.charted:
            observation = results.get("observation")
            distances.add(observation.get("distance_m") if isinstance(observation, Mapping) else None)
        distance = distances.pop() if len(distances) == 1 else None
        return f"On-axis SPL at {distance:g} m (dB)" if isinstance(distance, int | float) else self.TITLE


class DirectivityIndexChart(LineChart):
    """Directivity index versus frequency."""

    TITLE = "Directivity index (dB)"
    QUANTITIES = ("DI",)

    def traces(self) -> list[Trace]:
        return _line_traces(self.charted, [("DI", ("directivity_index_db",))])


class BeamwidthChart(LineChart):
    """−6 dB beamwidth in the horizontal and vertical planes versus frequency."""

    TITLE = "−6 dB beamwidth (°)"
    QUANTITIES = ("hor", "ver")
    Y_STEPS = (5, 10, 15, 30, 45, 90)

    def traces(self) -> list[Trace]:
        return _line_traces(
            self.charted, [("hor", ("beamwidth_6db_deg", "horizontal")), ("ver", ("beamwidth_6db_deg", "vertical"))]
        )


class ImpedanceChart(LineChart):
    """Normalised throat impedance (z / ρc), real and imaginary parts, versus frequency, in the engineering
    convention e^(+jωt) that designers read and the exported impedance.txt uses: a mass-like load has Im > 0.
    Results solved under e^(−iωt), the solver's convention (their ``time_convention``), are conjugated for it."""

    TITLE = "Throat impedance z/ρc (e^+jωt)"
    QUANTITIES = ("Re", "Im")

    def traces(self) -> list[Trace]:
        traces = _line_traces(
            self.charted, [("Re", ("throat_impedance", "real")), ("Im", ("throat_impedance", "imag"))]
        )
        conjugate = {job for job, (_, results) in enumerate(self.charted) if not _engineering_convention(results)}
        return [replace(t, y=[-v for v in t.y]) if t.quantity == "Im" and t.job in conjugate else t for t in traces]


def _engineering_convention(results: Mapping[str, Any]) -> bool:
    """Whether results are stated in e^(+jωt); the solver writes e^(−iωt), and results without the statement
    come from it."""
    metadata = results.get("metadata")
    convention = metadata.get("time_convention") if isinstance(metadata, Mapping) else None
    return isinstance(convention, str) and "+" in convention
