"""The normalised polar map of one plane: log frequency across, angle up, 3 dB colour bands.

It is drawn here, cell by cell, because plotext has no heat map over a log axis; it uses half-block characters
so each terminal row shows two angle bins, which keeps 0…180° in 5° steps legible at 80×24.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.geometry import Region
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from tui.plotting import ChartedJob, Results, float_list, format_frequency, format_tick, frequency_ticks, nice_ticks

PLANES = ("horizontal", "vertical")
PLANE_TITLES = {"horizontal": "Horizontal", "vertical": "Vertical"}

#: Width of one band of the polar map's colour scale, and the number of bands above the floor (0 to −30 dB).
BAND_DB = 3.0
BAND_COUNT = 10
#: Band colours from 0 dB (hot) downwards: ColorBrewer "Spectral", a rainbow-like scale as ABEC and VituixCAD
#: users read, but ordered in lightness so neighbouring bands stay distinct on any terminal.
BAND_COLORS = (
    "#9E0142",
    "#D53E4F",
    "#F46D43",
    "#FDAE61",
    "#FEE08B",
    "#E6F598",
    "#ABDDA4",
    "#66C2A5",
    "#3288BD",
    "#5E4FA2",
)
FLOOR_BAND = BAND_COUNT
"""Band index of levels below −30 dB (and of missing values): drawn in the theme's panel colour."""


def band_of(level_db: float) -> int:
    """Colour band of a normalised level: 0 for 0…−3 dB (and anything above 0), … 9 for −27…−30, else floor."""
    if not math.isfinite(level_db):
        return FLOOR_BAND
    return min(max(int(-level_db // BAND_DB), 0), FLOOR_BAND)


@dataclass(frozen=True)
class PolarData:
    """One plane of one job, normalised: ``levels[f, a]`` = SPL(f, θ_a) − SPL(f, θ_norm), angles ascending."""

    frequencies: np.ndarray
    angles: np.ndarray
    levels: np.ndarray
    normalize_deg: float


def normalized_polar(results: Results, plane: str) -> PolarData | None:
    """The normalised polar of ``plane``, or None when the results lack it or it is malformed."""
    polar = results.get("polar")
    plane_data = polar.get(plane) if isinstance(polar, Mapping) else None
    spl = plane_data.get("spl_db") if isinstance(plane_data, Mapping) else None
    observation = results.get("observation")
    angles_raw = observation.get("angles_deg") if isinstance(observation, Mapping) else None
    try:
        freqs = np.asarray(float_list(results.get("frequencies_hz")), dtype=np.float64)
        angles = np.asarray(float_list(angles_raw), dtype=np.float64)
        levels = np.asarray(spl, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if levels.ndim != 2 or levels.shape != (freqs.size, angles.size) or freqs.size == 0 or angles.size == 0:
        return None
    keep = freqs > 0
    freqs, levels = freqs[keep], levels[keep]
    order = np.argsort(angles)
    angles, levels = angles[order], levels[:, order]
    metadata = results.get("metadata")
    reference = metadata.get("normalize_angle_deg", 0.0) if isinstance(metadata, Mapping) else 0.0
    reference = float(reference) if isinstance(reference, int | float) else 0.0
    reference = min(max(reference, float(angles[0])), float(angles[-1]))
    with np.errstate(invalid="ignore"):
        ref_levels = np.array([np.interp(reference, angles, row) for row in levels])
        normalized = levels - ref_levels[:, None]
    return PolarData(freqs, angles, normalized, reference)


def resample_polar(data: PolarData, columns: int, rows: int) -> np.ndarray:
    """Levels on a ``rows × columns`` grid: row 0 is the largest angle, the last row the smallest.

    Columns are evenly spaced in log frequency and rows in angle, both ends included, so the first column
    is exactly the lowest frequency and the bottom row exactly the lowest angle (0° on axis). Values are
    interpolated linearly in log frequency and angle, as polar-map tools draw their contours.
    """
    log_f = np.log10(data.frequencies)
    grid_f = np.linspace(log_f[0], log_f[-1], columns) if columns > 1 else log_f[:1]
    grid_a = np.linspace(data.angles[-1], data.angles[0], rows) if rows > 1 else data.angles[:1]
    if log_f.size > 1:
        by_freq = np.array([np.interp(grid_f, log_f, data.levels[:, a]) for a in range(data.angles.size)]).T
    else:
        by_freq = np.repeat(data.levels[:1], columns, axis=0)
    if data.angles.size > 1:
        return np.array([np.interp(grid_a, data.angles, by_freq[c]) for c in range(columns)]).T
    return np.repeat(by_freq[:, :1].T, rows, axis=0)


class PolarMap(Widget):
    """A normalised polar map (sonogram) of one plane: log frequency across, angle up, 3 dB colour bands.

    0° is at the bottom and angles grow upwards, as in ABEC and ATH polar maps of one-sided polars, so the
    beam narrowing with frequency reads as the coloured region sinking towards the bottom edge. Layout, top
    to bottom: a title line, the map (left gutter with angle labels), frequency labels, the colour scale.
    With several jobs the map shows the one at ``job_index``.
    """

    DEFAULT_CSS = """
    PolarMap {
        height: 1fr;
        background: $surface;
        color: $foreground;
    }
    """

    GUTTER = 5
    job_index: reactive[int] = reactive(0)

    def __init__(
        self,
        plane: str,
        charted: Sequence[ChartedJob] = (),
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        if plane not in PLANES:
            raise ValueError(f"unknown plane {plane!r}; expected one of {', '.join(PLANES)}")
        super().__init__(name=name, id=id, classes=classes)
        self.plane = plane
        self.charted: list[ChartedJob] = list(charted)
        self._grid_cache: tuple[tuple[int, int, int], np.ndarray] | None = None
        self._data_cache: dict[int, PolarData | None] = {}

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.refresh())

    def set_results(self, charted: Sequence[ChartedJob]) -> None:
        """Show new results; the job shown is kept when it still exists."""
        self.charted = list(charted)
        self._grid_cache = None
        self._data_cache = {}
        self.job_index = min(self.job_index, max(len(self.charted) - 1, 0))
        self.refresh()

    def validate_job_index(self, index: int) -> int:
        return index % len(self.charted) if self.charted else 0

    def watch_job_index(self) -> None:
        self._grid_cache = None
        self.refresh()

    @property
    def data(self) -> PolarData | None:
        """The shown job's normalised polar for this plane, or None."""
        if not self.charted:
            return None
        if self.job_index not in self._data_cache:
            self._data_cache[self.job_index] = normalized_polar(self.charted[self.job_index][1], self.plane)
        return self._data_cache[self.job_index]

    @property
    def map_region(self) -> Region:
        """Where the coloured cells are, in widget coordinates (empty when there is no room or no data)."""
        width, height = self.size
        if self.data is None:
            return Region(0, 0, 0, 0)
        return Region(self.GUTTER, 1, max(width - self.GUTTER - 1, 0), max(height - 3, 0))

    def levels_grid(self) -> np.ndarray:
        """Normalised levels at the centre of every half-cell of the map: 2 sub-rows per terminal row."""
        data = self.data
        region = self.map_region
        key = (self.job_index, region.width, region.height)
        if data is None or region.area == 0:
            return np.zeros((0, 0))
        if self._grid_cache is None or self._grid_cache[0] != key:
            self._grid_cache = (key, resample_polar(data, region.width, region.height * 2))
        return self._grid_cache[1]

    def _band_styles(self) -> tuple[list[Color], Style]:
        variables = self.app.theme_variables
        floor = Color.parse(variables.get("panel", "#303030"))
        muted = Style(color=Color.parse(variables.get("foreground", "#C0C0C0")).rich_color, dim=True)
        return [Color.parse(c) for c in BAND_COLORS] + [floor], muted

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        base = self.rich_style
        data = self.data
        if y == 0:
            return self._text_line(self._title(data), width, base)
        if data is None:
            message = Text(f"No {self.plane} polar in these results" if self.charted else "No results", style="italic")
            return self._text_line(message if y == height // 2 else Text(), width, base)
        region = self.map_region
        colors, muted = self._band_styles()
        if region.y <= y < region.bottom:
            return self._map_line(y - region.y, region, colors, muted, base)
        if y == region.bottom:
            return self._frequency_line(data, region, muted, base)
        if y == region.bottom + 1:
            return self._text_line(self._scale(colors), width, base)
        return Strip.blank(width, base)

    def _title(self, data: PolarData | None) -> Text:
        title = Text(f"{PLANE_TITLES[self.plane]} polar map", style="bold")
        if data is not None:
            title.append(f" · dB re {data.normalize_deg:g}°")
        if self.charted:
            title.append(f" · {self.charted[self.job_index][0]}")
        if len(self.charted) > 1:
            title.append(f" ({self.job_index + 1}/{len(self.charted)}, n/p: other job)", style="dim")
        return title

    def _text_line(self, text: Text, width: int, base: Style) -> Strip:
        text = text.copy()
        text.pad_left(1)
        text.truncate(width, overflow="ellipsis", pad=True)
        segments = [
            Segment(s.text, base + s.style) if isinstance(s.style, Style) else s for s in text.render(self.app.console)
        ]
        return Strip(segments, width).simplify()

    def _angle_label(self, row: int, rows: int) -> str:
        """Angle label for a map row when the row holds the nearest sub-row to a round angle, else blanks."""
        data = self.data
        assert data is not None
        top, bottom = float(data.angles[-1]), float(data.angles[0])
        sub_rows = rows * 2
        ticks = nice_ticks(bottom, top, max(2, rows // 2 + 1), (15, 30, 45, 90))
        for tick in ticks:
            if not bottom <= tick <= top:
                continue
            position = (top - tick) / (top - bottom) * (sub_rows - 1) if top > bottom else 0
            if round(position) // 2 == row:
                return f"{format_tick(tick)}°".rjust(self.GUTTER - 1) + " "
        return " " * self.GUTTER

    def _map_line(self, row: int, region: Region, colors: list[Color], muted: Style, base: Style) -> Strip:
        grid = self.levels_grid()
        upper, lower = grid[2 * row], grid[2 * row + 1]
        segments = [Segment(self._angle_label(row, region.height), base + muted)]
        for up, down in zip(upper, lower, strict=True):
            top_band, bottom_band = band_of(float(up)), band_of(float(down))
            style = Style(color=colors[top_band].rich_color, bgcolor=colors[bottom_band].rich_color)
            segments.append(Segment("▀", style))
        return Strip(segments).extend_cell_length(self.size.width, base).simplify()

    def _frequency_line(self, data: PolarData, region: Region, muted: Style, base: Style) -> Strip:
        f_min, f_max = float(data.frequencies[0]), float(data.frequencies[-1])
        line = [" "] * self.size.width
        ticks = frequency_ticks(f_min, f_max, region.width)
        for tick in ticks:
            fraction = (math.log10(tick / f_min) / math.log10(f_max / f_min)) if f_max > f_min else 0.0
            label = format_frequency(tick)
            column = region.x + round(fraction * (region.width - 1))
            start = min(max(column - len(label) // 2, region.x), self.size.width - len(label))
            line[start : start + len(label)] = label
        hz = "Hz"
        line[1 : 1 + len(hz)] = hz
        return Strip([Segment("".join(line)[: self.size.width], base + muted)], self.size.width)

    def _scale(self, colors: list[Color]) -> Text:
        """The colour scale: one swatch per 3 dB band, each labelled with its upper edge."""
        scale = Text("dB ")
        for band in range(BAND_COUNT):
            color = colors[band]
            label = format_tick(-band * BAND_DB).center(4)
            scale.append(label, style=Style(color=color.get_contrast_text(1.0).rich_color, bgcolor=color.rich_color))
        scale.append(f" {format_tick(-BAND_COUNT * BAND_DB)}")
        scale.append(f"  ({BAND_DB:g} dB bands)", style="dim")
        return scale
