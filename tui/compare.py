"""The comparison view: metrics of several horns side by side, and a metric charted against a study parameter.

The table is the document of ``hornq compare --json`` (``engine.store.compare``): one row per job, one column per
metric, the best value of each "lower is better" column highlighted. ``s`` sorts by the column under the cursor,
``g`` overlays the marked (or all) jobs' charts, ``v`` charts the column's metric against a varied parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.widgets.data_table import ColumnKey
from textual_plotext import PlotextPlot

from engine.config.sweeps import Value, format_value, label_for
from engine.solvers import Metric, MetricSet
from engine.store import compare
from engine.store.models import Study
from tui.host import AppHost
from tui.plotting import format_tick, nice_ticks, theme_series_colors
from tui.studies import StudyJobTable

#: Most jobs the overlay charts take at once; more lines than this cannot be told apart.
MAX_OVERLAY = 8
Series = tuple[str, list[tuple[Value, float]]]


def row_name(row: dict[str, Any]) -> str:
    """A job as the table names it: its varied values in a study, else its label or short id."""
    return label_for(row["study_values"]) if row["study_values"] else (row["label"] or row["id"][:8])


@dataclass(frozen=True)
class Comparison:
    """A comparison document with the metric set its columns come from."""

    document: dict[str, Any]
    metrics: MetricSet

    @property
    def column_order(self) -> tuple[str, ...]:
        """The headline figures a designer ranks by first, then the per-frequency values."""
        headline = tuple(self.metrics.COLUMNS)
        return headline + tuple(m.key for m in self.metrics.METRICS if m.key not in headline)


def column_title(metric: Metric, arrow: str = "") -> Text:
    """Two short lines (``BW H`` / ``spread``) so metric columns stay narrow; the sorted column ends in an arrow."""
    first, _, last = metric.title.rpartition(" ")
    return Text(f"{first}\n{last}{arrow}" if first else f"{last}{arrow}", justify="right")


def band_text(document: dict[str, Any]) -> str:
    """The band the metrics average over: the configured band cut to each job's sweep, as each job's metrics
    report it (``band_used_hz``), so a sweep that stops at 2 kHz says 1–2 kHz, not 1–10 kHz."""
    used = {tuple(row["band_used_hz"]) for row in document["jobs"] if row.get("band_used_hz")}
    low, high = document["settings"]["band_hz"]
    if used:
        low, high = min(lo for lo, _ in used), max(hi for _, hi in used)
    return f"band {low / 1000:.3g}–{high / 1000:.3g} kHz" + ("" if len(used) == 1 else ", cut to each sweep")


def metric_series(document: dict[str, Any], key: str, parameter: str) -> list[Series]:
    """A metric against one varied parameter: one series per combination of the other parameters' values."""
    series: dict[str, list[tuple[Value, float]]] = {}
    for row in document["jobs"]:
        values, metrics = row["study_values"], row["metrics"]
        if not values or parameter not in values or not metrics or metrics.get(key) is None:
            continue
        others = label_for({name: value for name, value in values.items() if name != parameter})
        series.setdefault(others, []).append((values[parameter], metrics[key]))
    return [(name, sorted(points, key=lambda p: (isinstance(p[0], str), p[0]))) for name, points in series.items()]


def request(table: StudyJobTable) -> tuple[list[str], str | None] | None:
    """What the job table asks to compare, as (job ids, study id): the marked jobs, with their study when they
    share one (so their metrics can be charted against it); else the whole study of the row under the cursor
    (no ids); else the selected job. None when nothing is selected."""
    if table.marked:
        ids = table.targets()
        shared = {table.views[i].study_id for i in ids}
        return ids, shared.pop() if len(shared) == 1 else None
    if study_id := table.study_of_cursor():
        return [], study_id
    if table.selected_id:
        return [table.selected_id], None
    return None


def load(ids: list[str], study_id: str | None) -> Comparison | None:
    """Read a comparison (run it in a worker: it reads every chosen job's metrics). None when the study of a
    whole-study comparison was deleted; raises HornqError when the jobs have no metrics to compare."""
    study = Study.get_or_none(Study.id == study_id) if study_id else None
    if not ids and study is None:
        return None
    chosen = compare.select_jobs(ids, None if ids else study)
    metrics = compare.metric_set_of(chosen)
    return Comparison(compare.compare(chosen, metrics, study=study), metrics)


class ComparisonScreen(Screen[None]):
    """A sortable metrics table across jobs or a whole study."""

    DEFAULT_CSS = """
    ComparisonScreen #compare-title {
        height: auto;
        max-height: 3;
        padding: 0 1;
        background: $panel;
    }
    ComparisonScreen DataTable {
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "sort_column", "Sort", id="compare.sort", tooltip="sort by the column under the cursor"),
        Binding("space", "toggle_mark", "Mark", id="compare.mark", tooltip="mark a job for the overlay charts"),
        Binding(
            "g",
            "charts",
            "Charts",
            id="compare.charts",
            tooltip="overlay the marked jobs' charts (all jobs when none is marked)",
        ),
        Binding(
            "v",
            "metric_chart",
            "Vs param",
            id="compare.metric-chart",
            tooltip="chart the column's metric against a parameter the study varies",
        ),
        Binding("escape,q", "close", "Back", id="compare.close", tooltip="back to the job table"),
    ]

    def __init__(self, comparison: Comparison) -> None:
        super().__init__()
        self.comparison = comparison
        self.metrics = comparison.metrics
        self.document = comparison.document
        self.rows = {row["id"]: row for row in self.document["jobs"]}
        self.marked: set[str] = set()
        self.sorted_by: tuple[str, bool] | None = None

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="compare-title")
        yield DataTable(cursor_type="cell", zebra_stripes=True, header_height=2, id="compare-table")
        yield Footer()

    def _title(self) -> Text:
        study = self.document["study"]
        what = f"study {study['name']}" if study else "selected jobs"
        title = Text.assemble(
            (f"Compare {what}", "bold"), f" · {len(self.rows)} job(s) · {band_text(self.document)} · "
        )
        title.append(" best ", style="bold reverse")
        title.append(
            " = lowest spread, deviation, ripple, control frequency\n"
            "DI, axis dev dB · BW, spread ° · control Hz · Re z in z/ρc · – no data",
            style="dim",
        )
        return title

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def on_mount(self) -> None:
        table = self.table
        table.add_column(" ", key="mark", width=1)
        table.add_column(self._header("job"), key="job", width=14)
        table.add_column(self._header("status"), key="status", width=8)
        for key in self.comparison.column_order:
            title = column_title(self.metrics.BY_KEY[key], "↓")  # room for the sort arrow
            width = max(6, *(len(line) for line in title.plain.splitlines()))
            table.add_column(self._header(key), key=key, width=width)
        self._fill(list(self.rows))
        table.focus()

    def _header(self, key: str) -> Text:
        """A column's header; the column the rows are sorted by ends in an arrow."""
        arrow = ""
        if self.sorted_by is not None and self.sorted_by[0] == key:
            arrow = "↓" if self.sorted_by[1] else "↑"
        if key in self.metrics.BY_KEY:
            return column_title(self.metrics.BY_KEY[key], arrow)
        return Text(f"{key.capitalize()}{arrow}\n")

    def _cells(self, row: dict[str, Any]) -> list[Any]:
        best_style = Style(bold=True, reverse=True)
        metrics = row["metrics"] or {}
        cells: list[Any] = [
            Text("●", style="bold yellow") if row["id"] in self.marked else "",
            Text(row_name(row)),
            row["status"],
        ]
        for key in self.comparison.column_order:
            best = row["id"] in self.document["best"].get(key, [])
            cells.append(
                Text(
                    compare.format_value(self.metrics.BY_KEY[key], metrics.get(key)),
                    justify="right",
                    style=best_style if best else "",
                )
            )
        return cells

    @property
    def cursor_row_id(self) -> str | None:
        if not self.table.row_count:
            return None
        row_key, _ = self.table.coordinate_to_cell_key(self.table.cursor_coordinate)
        return row_key.value

    @property
    def cursor_column(self) -> str:
        _, column_key = self.table.coordinate_to_cell_key(self.table.cursor_coordinate)
        return column_key.value or "job"

    def action_sort_column(self) -> None:
        """Sort by the cursor's column; again on the same column reverses. Jobs without a value go last."""
        column = self.cursor_column
        descending = self.sorted_by == (column, False)
        rows = list(self.rows.values())
        if column in self.metrics.BY_KEY:
            ordered = compare.sort_rows(rows, column, descending)
        elif column == "status":
            ordered = sorted(rows, key=lambda r: r["status"], reverse=descending)
        else:
            ordered = sorted(rows, key=_name_key, reverse=descending)
        self.sorted_by = (column, descending)
        for key in ("job", "status", *self.comparison.column_order):
            self.table.columns[ColumnKey(key)].label = self._header(key)
        self._fill([row["id"] for row in ordered])

    def _fill(self, order: list[str]) -> None:
        """Show the rows in this order, the cursor staying on the same job and column."""
        table = self.table
        keep, column = self.cursor_row_id, table.cursor_column
        table.clear()
        for job_id in order:
            table.add_row(*self._cells(self.rows[job_id]), key=job_id)
        if keep is not None:
            table.move_cursor(row=table.get_row_index(keep), column=column, animate=False)

    def action_toggle_mark(self) -> None:
        job_id = self.cursor_row_id
        if job_id is None:
            return
        self.marked.symmetric_difference_update({job_id})
        self.table.update_cell(job_id, "mark", self._cells(self.rows[job_id])[0])
        self.table.move_cursor(row=min(self.table.cursor_row + 1, self.table.row_count - 1))

    def action_charts(self) -> None:
        """Overlay charts of the marked jobs (or every job with results), in the table's order."""
        order = [self.table.coordinate_to_cell_key((i, 0))[0].value for i in range(self.table.row_count)]
        chosen = [i for i in order if (i in self.marked or not self.marked) and self.rows[i]["metrics"]]
        if not chosen:
            self.notify("charts need jobs with horn results", severity="warning")
            return
        if len(chosen) > MAX_OVERLAY:
            self.notify(
                f"showing the first {MAX_OVERLAY} of {len(chosen)} jobs; mark the ones to overlay", severity="warning"
            )
        cast(AppHost, self.app).show_charts(chosen[:MAX_OVERLAY], {i: row_name(self.rows[i]) for i in chosen})

    def action_metric_chart(self) -> None:
        study = self.document["study"]
        if not study or not study["parameters"]:
            self.notify("a chart against a parameter needs a study (compare a study's header row)", severity="warning")
            return
        column = self.cursor_column
        metric = column if column in self.metrics.BY_KEY else self.metrics.COLUMNS[0]
        self.app.push_screen(MetricChartScreen(self.comparison, metric))

    def action_close(self) -> None:
        self.dismiss()


def _name_key(row: dict[str, Any]) -> tuple[Any, ...]:
    """Study points sort by their values (numbers as numbers), other jobs by name."""
    values = row["study_values"] or {}
    return tuple((isinstance(v, str), v) for v in values.values()) or ((True, row_name(row)),)


class MetricPlot(PlotextPlot):
    """One metric against one parameter, a line per combination of the other parameters."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.series: list[Series] = []

    def render(self) -> RenderResult:
        plt = self.plt
        plt.clear_figure()
        points = [point for _, pts in self.series for point in pts]
        if not points:
            return Text("no data: no job of the study has this metric yet", style="italic", justify="center")
        categories = sorted({x for x, _ in points if isinstance(x, str)})
        colors = theme_series_colors(self.app.theme_variables, len(self.series))
        for (name, pts), color in zip(self.series, colors, strict=True):
            xs = [categories.index(x) if isinstance(x, str) else x for x, _ in pts]
            plt.plot(xs, [y for _, y in pts], marker="hd", color=Color.parse(color).rgb, label=name or None)
        numeric = sorted({x for x, _ in points if not isinstance(x, str)})
        ticks = [*numeric, *range(len(categories))] if len(numeric) <= 12 else []
        if ticks:
            plt.xticks(ticks, [format_value(t) for t in numeric] + categories)
        ys = [y for _, y in points]
        y_ticks = nice_ticks(min(ys), max(ys), max(2, (self.size.height - 3) // 3 + 1))
        plt.ylim(y_ticks[0], y_ticks[-1])
        plt.yticks(y_ticks, [format_tick(t) for t in y_ticks])
        return super().render()


class MetricChartScreen(Screen[None]):
    """A metric of every point of a study against one of its varied parameters."""

    DEFAULT_CSS = """
    MetricChartScreen #metric-title {
        height: auto;
        padding: 0 1;
        background: $panel;
    }
    MetricChartScreen MetricPlot {
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "p",
            "next_parameter",
            "Parameter",
            id="metric-chart.parameter",
            tooltip="put the next varied parameter on the x axis",
        ),
        Binding(
            "right,right_square_bracket",
            "step_metric(1)",
            "Next metric",
            id="metric-chart.next",
            tooltip="chart the next metric",
        ),
        Binding(
            "left,left_square_bracket",
            "step_metric(-1)",
            "Prev metric",
            id="metric-chart.previous",
            tooltip="chart the previous metric",
        ),
        Binding("escape,q", "close", "Back", id="metric-chart.close", tooltip="back to the comparison"),
    ]

    def __init__(self, comparison: Comparison, metric: str) -> None:
        super().__init__()
        self.comparison = comparison
        self.document = comparison.document
        self.parameters: Sequence[str] = [p["name"] for p in self.document["study"]["parameters"]]
        self.metric = metric
        self.parameter = self.parameters[0]

    def compose(self) -> ComposeResult:
        yield Static(id="metric-title")
        yield MetricPlot(id="metric-plot")
        yield Footer()

    def on_mount(self) -> None:
        self.replot()

    def replot(self) -> None:
        series = metric_series(self.document, self.metric, self.parameter)
        plot = self.query_one(MetricPlot)
        plot.series = series
        plot.refresh()
        metric = self.comparison.metrics.BY_KEY[self.metric]
        unit = f" ({metric.unit})" if metric.unit else ""
        title = Text.assemble((f"{metric.title}{unit}", "bold"), f" against {self.parameter}")
        if any(name for name, _ in series):
            title.append("  lines: " + " | ".join(name for name, _ in series), style="dim")
        self.query_one("#metric-title", Static).update(title)

    def action_next_parameter(self) -> None:
        self.parameter = self.parameters[(self.parameters.index(self.parameter) + 1) % len(self.parameters)]
        self.replot()

    def action_step_metric(self, step: int) -> None:
        order = self.comparison.column_order
        self.metric = order[(order.index(self.metric) + step) % len(order)]
        self.replot()

    def action_close(self) -> None:
        self.dismiss()
