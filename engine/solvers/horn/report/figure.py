"""The report's figure: a title row naming the jobs, the four line charts (jobs overlaid), then for each job its
horizontal and vertical polar maps with one colour bar, and the caption of its design and solver settings.

Drawn on matplotlib's Agg canvas without pyplot: no display and no global figure state. Sizes suit a picture
posted on a forum: 15 inches wide at 150 dpi (2,250 pixels), no text smaller than 10 points.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import QuadMesh
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D
from matplotlib.transforms import offset_copy

from engine.solvers.horn.report.document import Reported, Section, report_title
from engine.solvers.horn.report.lines import CHARTS, JOB_COLORS, LINE_WIDTH, draw_chart
from engine.solvers.horn.report.polar import BOUNDARIES, PLANE_TITLES, PolarGrid, draw_polar, no_map, polar_grid

DPI = 150
WIDTH_IN = 15.0
TITLE_IN = 0.6
LEGEND_ROW_IN = 0.3
LINES_IN = 7.6
POLAR_IN = 4.4
PARTIAL_COLOR = "#C00000"
STYLE = {
    "font.size": 10.5,
    "axes.titlesize": 12,
    "axes.labelsize": 10.5,
    "legend.fontsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    # Labels and captions are the user's text: a "$" in them is a dollar sign, not mathematics.
    "text.parse_math": False,
}
#: The caption: three columns across the figure, each line wrapped to fit its column.
CAPTION_PT = 10.0
CAPTION_TITLE_PT = 17.0
CAPTION_PAD_PT = 8.0
CAPTION_LINE_PT = 13.5
CAPTION_WRAP = 62


def build_figure(jobs: Sequence[Reported], *, caption: bool = True) -> Figure:
    """The whole report as one figure; without ``caption`` the design and solver boxes are left out (for a page
    that states them as text)."""
    with rc_context(STYLE):
        return _build(list(jobs), caption)


def _build(jobs: list[Reported], caption: bool) -> Figure:
    captions = [caption_columns(job.caption()) for job in jobs] if caption else []
    caption_in = [caption_height_in(columns) for columns in captions]
    title_in = TITLE_IN + (LEGEND_ROW_IN * ((len(jobs) + 2) // 3) if len(jobs) > 1 else 0.0)
    heights = [title_in, LINES_IN, *(POLAR_IN + (caption_in[i] if caption else 0.0) for i in range(len(jobs)))]
    fig = Figure(figsize=(WIDTH_IN, sum(heights)), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    title_row, lines_row, *job_rows = fig.subfigures(len(heights), 1, height_ratios=heights)
    _title(title_row, jobs)
    f_range = frequency_range(jobs)
    for ax, chart in zip(lines_row.subplots(2, 2).flat, CHARTS, strict=True):
        draw_chart(ax, chart, jobs, f_range)
    for i, (row, job) in enumerate(zip(job_rows, jobs, strict=True)):
        color = JOB_COLORS[i % len(JOB_COLORS)] if len(jobs) > 1 else None
        if caption:
            maps_row, caption_row = row.subfigures(2, 1, height_ratios=[POLAR_IN, caption_in[i]])
            _caption(caption_row, captions[i])
        else:
            maps_row = row
        _polar_maps(maps_row, job, f_range, color)
    return fig


def frequency_range(jobs: Sequence[Reported]) -> tuple[float, float]:
    """The span of the jobs' sweeps (usually 200 Hz–20 kHz), shared by every chart and map, so partial results
    show where their missing frequencies are."""
    found = [f for job in jobs for f in (*job.frequencies(), *job.planned_span()) if f > 0]
    if not found:
        return 200.0, 20000.0
    low, high = min(found), max(found)
    return (low, high) if high > low else (low / 1.5, high * 1.5)


def _title(row: SubFigure, jobs: list[Reported]) -> None:
    """One job: its name; several: how many, with a legend of their colours. Partial results in red."""
    row.text(0.008, 0.8, report_title(jobs), ha="left", va="top", fontsize=18, fontweight="bold")
    if len(jobs) == 1 and jobs[0].partial:
        badge = {"boxstyle": "round,pad=0.35", "facecolor": PARTIAL_COLOR, "edgecolor": PARTIAL_COLOR}
        row.text(
            0.992, 0.8, jobs[0].partial, ha="right", va="top", fontsize=14, fontweight="bold", color="white", bbox=badge
        )
    if len(jobs) > 1:
        handles = [
            Line2D([], [], color=JOB_COLORS[i % len(JOB_COLORS)], linewidth=LINE_WIDTH * 2, label=_legend_name(job))
            for i, job in enumerate(jobs)
        ]
        legend = row.legend(handles=handles, loc="lower left", ncols=3, frameon=False, fontsize=12)
        for text, job in zip(legend.get_texts(), jobs, strict=True):
            if job.partial:
                text.set_color(PARTIAL_COLOR)


def _legend_name(job: Reported) -> str:
    return f"{job.name}  {job.partial}" if job.partial else job.name


def _polar_maps(row: SubFigure, job: Reported, f_range: tuple[float, float], color: str | None) -> None:
    """The job's two planes side by side with one colour bar; in an overlay headed by its name in its colour."""
    axes: list[Axes] = list(row.subplots(1, 2))
    drawn: list[tuple[QuadMesh, PolarGrid]] = []
    for ax, plane in zip(axes, PLANE_TITLES, strict=True):
        grid = polar_grid(job.results, plane)
        if grid is None:
            no_map(ax, job.results, plane)
            continue
        drawn.append((draw_polar(ax, grid, f_range), grid))
        ax.set_title(f"{PLANE_TITLES[plane]} polar map, dB re {grid.normalize_deg:g}°", loc="left", fontweight="bold")
    heading = " ".join(filter(None, (job.name if color else "", job.partial)))
    if heading:
        shade = PARTIAL_COLOR if job.partial else color
        row.suptitle(heading, x=0.008, ha="left", fontsize=14, fontweight="bold", color=shade)
    if drawn:
        mesh, grid = drawn[0]
        bar = row.colorbar(mesh, ax=axes, extend="both", pad=0.01, aspect=25)
        bar.set_label(f"dB re {grid.normalize_deg:g}°")
        bar.set_ticks(np.asarray(BOUNDARIES))


def caption_columns(sections: tuple[Section, ...]) -> list[list[str]]:
    """Each section as a column of lines wrapped to the column's width, its title first."""
    columns = []
    for section in sections:
        lines = [section.title]
        if section.parameters:
            lines.extend(_packed([f"{name} = {value}" for name, value in section.rows]))
        else:
            for name, value in section.rows:
                line = f"{name}: {value}"
                lines.extend(textwrap.wrap(line, CAPTION_WRAP, subsequent_indent="    ", break_on_hyphens=False))
        columns.append(lines)
    return columns


def _packed(items: list[str]) -> list[str]:
    """Parameters joined by commas into lines of the column's width, never breaking one across lines."""
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + len(item) + 2 <= CAPTION_WRAP:
            lines[-1] += f", {item}"
        else:
            lines.append(item)
    return lines


def caption_height_in(columns: list[list[str]]) -> float:
    """Room for the longest column: padding, its title, then its lines."""
    lines = max((len(column) - 1 for column in columns), default=0)
    return (2 * CAPTION_PAD_PT + CAPTION_TITLE_PT + lines * CAPTION_LINE_PT) / 72.0


def _caption(row: SubFigure, columns: list[list[str]]) -> None:
    """The sections side by side in a light box: titles bold, then their lines, placed in points from the top."""
    row.set_facecolor("#F3F4F6")
    row.set_edgecolor("#B0B4BA")
    row.set_linewidth(1.0)
    spacing = CAPTION_LINE_PT / CAPTION_PT  # matplotlib's line pitch is linespacing × font size
    for i, lines in enumerate(columns):
        x = 0.012 + i / len(columns)
        top = {"ha": "left", "va": "top", "fontsize": CAPTION_PT}
        row.text(x, 1.0, lines[0], fontweight="bold", transform=_below(row, CAPTION_PAD_PT), **top)
        body = _below(row, CAPTION_PAD_PT + CAPTION_TITLE_PT)
        row.text(x, 1.0, "\n".join(lines[1:]), linespacing=spacing, transform=body, **top)


def _below(row: SubFigure, points: float) -> Any:
    """The row's own coordinates moved down by ``points``: caption lines keep their size whatever the row's."""
    return offset_copy(row.transSubfigure, fig=row.figure, y=-points, units="points")
