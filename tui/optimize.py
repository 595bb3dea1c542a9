"""The optimisation view: how an optimize study is doing, read from its trial rows (never from the sampler).

At the top, the goal and the best design so far with its job; below, the objective of every trial in the order
the engine tried them, with the best so far as a line; then a table of the trials sorted by the objective
(best first, failed and unscored trials last) with the metrics the objective and constraints read. Enter opens a
trial's job; ``g`` overlays the charts of the best few.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual_plotext import PlotextPlot

from engine.config.objective import parse_constraint, parse_objective
from engine.config.sweeps import label_for
from engine.solvers import MetricSet
from engine.store import compare, optimize
from engine.store.models import Study
from tui.host import AppHost
from tui.plotting import format_tick, nice_ticks, theme_series_colors

#: How many of the best trials ``g`` overlays.
OVERLAY = 4
#: How often an open view of a running optimisation reads its trials again.
REFRESH_S = 3.0


@dataclass(frozen=True)
class Optimization:
    """An optimize study as the view shows it: its progress (``engine.store.optimize.progress``), and the metrics
    of its trials' jobs by job id."""

    study_id: str
    name: str
    progress: dict[str, Any]
    metrics: dict[str, dict[str, float | None]]
    metric_set: MetricSet | None

    @property
    def columns(self) -> list[str]:
        """The metrics the objective and constraints read, then the headline ones."""
        if self.metric_set is None:
            return []
        known = {metric.key: metric.better for metric in self.metric_set.METRICS}
        read = list(parse_objective(self.progress["objective"], known).names)
        for text in self.progress["constraints"]:
            read += parse_constraint(text, known).names
        return list(dict.fromkeys([*read, *self.metric_set.COLUMNS]))

    def ranked(self) -> list[dict[str, Any]]:
        """Trials best first; failed and still running ones last, in the order tried."""
        sign = 1 if self.progress["direction"] == "minimize" else -1
        scored = [t for t in self.progress["history"] if t["objective"] is not None]
        others = [t for t in self.progress["history"] if t["objective"] is None]
        return sorted(scored, key=lambda t: (t["feasible"] is False, sign * t["objective"], t["trial"])) + others


class OptimizationLoaded(Message):
    def __init__(self, optimization: Optimization | None, error: str | None = None) -> None:
        super().__init__()
        self.optimization = optimization
        self.error = error


def load(study_id: str) -> Optimization | None:
    """Read an optimisation (in a worker: it reads every trial's metrics); None for a study that does not optimise."""
    study = Study.get_or_none(Study.id == study_id)
    found = optimize.progress(study_id) if study else None
    if study is None or found is None:
        return None
    jobs = compare.select_jobs([], study)
    metric_set = compare.metric_set_of(jobs) if jobs else None
    rows = compare.compare(jobs, metric_set, study=study)["jobs"] if metric_set else []
    return Optimization(study_id, study.name, found, {row["id"]: row["metrics"] or {} for row in rows}, metric_set)


def best_line(optimization: Optimization) -> Text:
    progress = optimization.progress
    line = Text.assemble(
        (f"Optimize {optimization.name}", "bold"),
        f" · {progress['direction']} {progress['objective']} · {progress['told']}/{progress['trials']} trials",
    )
    if progress["failed"]:
        line.append(f", {progress['failed']} failed", style="red")
    if progress["ended"]:
        line.append(f" · ended: {progress['ended']}", style="dim")
    best = progress["best"]
    line.append("\n")
    if best is None:
        line.append("no scored design yet", style="italic")
    else:
        line.append(" best ", style="bold reverse")
        line.append(f" {best['objective']:.4g}  {label_for(best['values'])}  trial {best['trial']}")
        line.append(f"  job {best['job_id'][:8]}" if best["job_id"] else "  its job was deleted", style="dim")
    if progress["best_at_range_end"]:
        ends = optimize.describe_ends(progress["best_at_range_end"])
        line.append(f"\nat {ends}: a better design may lie beyond (widen it in a new study)", style="italic")
    if progress["constraints"]:
        line.append(f"\nconstraints: {'; '.join(progress['constraints'])}", style="dim")
    return line


def objective_series(progress: dict[str, Any]) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
    """(trial, objective) of every scored trial by its place in the order tried (from 1), and the best so far."""
    minimize = progress["direction"] == "minimize"
    points, best, current = [], [], None
    for trial in progress["history"]:
        value = trial["objective"]
        if value is None:
            continue
        points.append((trial["trial"], value))
        if trial["feasible"] is not False and (current is None or (value < current if minimize else value > current)):
            current = value
        if current is not None:
            best.append((trial["trial"], current))
    return points, best


class ObjectivePlot(PlotextPlot):
    """Each trial's objective as a point, and the best so far as a step line."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.points: list[tuple[int, float]] = []
        self.best: list[tuple[int, float]] = []

    def render(self) -> RenderResult:
        plt = self.plt
        plt.clear_figure()
        if not self.points:
            return Text("no trial has an objective yet", style="italic", justify="center")
        trial_color, best_color = colors(self.app.theme_variables)
        if self.best:
            xs, ys = zip(*self.best, strict=True)
            plt.plot(xs, ys, marker="braille", color=Color.parse(best_color).rgb)
        plt.scatter(*zip(*self.points, strict=True), marker="●", color=Color.parse(trial_color).rgb)
        last = max(x for x, _ in self.points)
        plt.xlim(0.5, last + 0.5)
        x_ticks = [
            int(t) for t in nice_ticks(1, max(last, 2), max(2, self.size.width // 8)) if t >= 1 and t.is_integer()
        ]
        plt.xticks(x_ticks, [str(t) for t in x_ticks])
        ys = [y for _, y in self.points]
        y_ticks = nice_ticks(min(ys), max(ys), max(2, (self.size.height - 3) // 3 + 1))
        plt.ylim(y_ticks[0], y_ticks[-1])
        plt.yticks(y_ticks, [format_tick(t) for t in y_ticks])
        return super().render()


def colors(theme: Mapping[str, str]) -> tuple[str, str]:
    """The trials' colour and the best-so-far line's, from the theme."""
    trial, best = theme_series_colors(theme, 2)
    return trial, best


class OptimizationScreen(Screen[None]):
    DEFAULT_CSS = """
    OptimizationScreen #optimization-title {
        height: auto;
        padding: 0 1;
        background: $panel;
    }
    OptimizationScreen #objective-legend {
        height: 1;
        padding: 0 1;
    }
    OptimizationScreen ObjectivePlot {
        height: 1fr;
        min-height: 8;
    }
    OptimizationScreen DataTable {
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "g", "charts", "Charts", id="optimization.charts", tooltip=f"overlay the best {OVERLAY} designs' charts"
        ),
        Binding("escape,q", "close", "Back", id="optimization.close", tooltip="back to the job table"),
    ]

    def __init__(self, optimization: Optimization) -> None:
        super().__init__()
        self.optimization = optimization

    def compose(self) -> ComposeResult:
        yield Static(id="optimization-title")
        yield Static(id="objective-legend")
        yield ObjectivePlot(id="objective-plot")
        yield DataTable(cursor_type="row", zebra_stripes=True, header_height=2, id="trials")
        yield Footer()

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def on_mount(self) -> None:
        self.show(self.optimization)
        self.table.focus()
        if cast(AppHost, self.app).poll and not self.optimization.progress["ended"]:
            self.set_interval(REFRESH_S, self.reload)

    def show(self, optimization: Optimization) -> None:
        """Show (or refresh) the optimisation, the cursor staying on the same trial."""
        self.optimization = optimization
        self.query_one("#optimization-title", Static).update(best_line(optimization))
        plot = self.query_one(ObjectivePlot)
        plot.points, plot.best = objective_series(optimization.progress)
        plot.refresh()
        trial, best = colors(self.app.theme_variables)
        legend = Text.assemble(("● ", trial), f"{optimization.progress['objective']} of each trial   ", ("━━ ", best))
        legend.append("best so far, by trial in the order tried")
        self.query_one("#objective-legend", Static).update(legend)
        table = self.table
        keep = self.cursor_trial
        table.clear(columns=True)
        metric_set = optimization.metric_set
        table.add_column(Text("#\n", justify="right"), key="trial")
        table.add_column("point\n", key="point")
        table.add_column("status\n", key="state")
        table.add_column(Text("objec-\ntive", justify="right"), key="objective")
        for key in optimization.columns:
            metric = metric_set.BY_KEY[key]  # type: ignore[union-attr]
            first, _, last = metric.title.rpartition(" ")
            table.add_column(Text(f"{first}\n{last}" if first else f"{last}\n", justify="right"), key=key)
        for trial in optimization.ranked():
            table.add_row(*self._cells(trial), key=str(trial["trial"]))
        if keep is not None and str(keep) in table.rows:
            table.move_cursor(row=table.get_row_index(str(keep)), animate=False)

    def _cells(self, trial: dict[str, Any]) -> list[Any]:
        optimization = self.optimization
        values = optimization.metrics.get(trial["job_id"] or "", {})
        best = optimization.progress["best"]
        style = "bold reverse" if best is not None and best["trial"] == trial["trial"] else ""
        state = trial["state"] if trial["feasible"] is not False else "infeasible"
        objective = "–" if trial["objective"] is None else f"{trial['objective']:.4g}"
        cells: list[Any] = [
            Text(str(trial["trial"]), justify="right"),
            Text(label_for(trial["values"])),
            Text(state, style="red" if trial["state"] == optimize.FAILED else ""),
            Text(objective, justify="right", style=style),
        ]
        for key in optimization.columns:
            metric = optimization.metric_set.BY_KEY[key]  # type: ignore[union-attr]
            cells.append(Text(compare.format_value(metric, values.get(key)), justify="right"))
        return cells

    @property
    def cursor_trial(self) -> int | None:
        if not self.table.row_count:
            return None
        row_key, _ = self.table.coordinate_to_cell_key(self.table.cursor_coordinate)
        return int(row_key.value or 0)

    def _trial(self, place: int | None) -> dict[str, Any] | None:
        return next((t for t in self.optimization.progress["history"] if t["trial"] == place), None)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a trial opens its job."""
        event.stop()
        trial = self._trial(int(event.row_key.value or 0))
        if trial is None or trial["job_id"] is None:
            self.notify("this trial has no job: the solver refused its point, or it was deleted", severity="warning")
            return
        cast(AppHost, self.app).open_detail(trial["job_id"], "overview")

    def action_charts(self) -> None:
        chosen = [t for t in self.optimization.ranked() if t["objective"] is not None and t["job_id"]][:OVERLAY]
        if not chosen:
            self.notify("no trial has results to chart yet", severity="warning")
            return
        names = {t["job_id"]: f"#{t['trial']} {label_for(t['values'])}" for t in chosen}
        cast(AppHost, self.app).show_charts([t["job_id"] for t in chosen], names)

    def reload(self) -> None:
        self.run_worker(self._read, thread=True, group="optimization", exclusive=True)

    def _read(self) -> None:
        try:
            found = load(self.optimization.study_id)
        except Exception:  # a busy database: the next refresh tries again
            return
        self.post_message(OptimizationLoaded(found))

    def on_optimization_loaded(self, message: OptimizationLoaded) -> None:
        """Rebuild only on news: the ranked table of a study of thousands of trials takes most of a second."""
        if message.optimization is not None and message.optimization != self.optimization:
            self.show(message.optimization)

    def action_close(self) -> None:
        self.dismiss()
