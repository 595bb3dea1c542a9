"""The results screen: one horn job's charts, or several jobs overlaid, one tab per kind of chart.

Keys only: 1–5 pick a tab, n/p pick the job shown on the polar maps when several are open, m shows or hides a stored
measurement beside the jobs (with each job's on-axis deviation from it in the header), Escape or q go back.

While a charted job is queued or running its charts are live: every REFRESH_S a thread worker reads its results
again (``tui.chart_reader``), the screen redraws them in place, and once the job has ended with its final results
the reading stops.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static, TabbedContent, TabPane
from textual.worker import Worker

from engine.store import measurements
from tui.chart_reader import ChartReader
from tui.line_charts import BeamwidthChart, DirectivityIndexChart, ImpedanceChart, LineChart, OnAxisChart
from tui.measured import (
    Measured,
    MeasurementLoaded,
    MeasurementPicker,
    MeasurementsListed,
    band_note,
    deviation_note,
    load,
)
from tui.messages import ChartsRead, failed
from tui.plotting import ChartedJob, format_frequency
from tui.polar_map import PolarMap

#: Tab pane ids in key order (the keys 1–5).
TABS = ("on-axis", "directivity", "impedance", "polar-h", "polar-v")
POLAR_TABS = ("polar-h", "polar-v")
#: Below this many elements per wavelength at the top frequency, the header warns (the mesher's default is 6).
MIN_ELEMENTS_PER_WAVELENGTH = 6.0
#: How often the results of a running job are read again (a horn worker solves a frequency in seconds at best).
REFRESH_S = 2.0

_TAB_KEYS = Binding.Group("Tabs", compact=True)


def _mesh(results: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = results.get("metadata")
    mesh = metadata.get("mesh") if isinstance(metadata, Mapping) else None
    return mesh if isinstance(mesh, Mapping) else {}


def mesh_warning(results: Mapping[str, Any]) -> str | None:
    """A short mesh warning for the header line, or None when the mesh resolves the whole sweep.

    The solver stores a long sentence; at 80 columns the header has room for the gist, so a known
    elements-per-wavelength shortfall is stated compactly and any other stored warning is shown as is.
    """
    mesh = _mesh(results)
    achieved = mesh.get("elements_per_wavelength")
    if isinstance(achieved, int | float) and achieved < MIN_ELEMENTS_PER_WAVELENGTH:
        return f"{achieved:.1f} el/λ < {MIN_ELEMENTS_PER_WAVELENGTH:g}: top end unreliable"
    warning = mesh.get("warning")
    return warning if isinstance(warning, str) and warning else None


def _summary(results: Mapping[str, Any]) -> str:
    """Sweep and mesh facts for the header: partial results say so first, then range, points, triangles,
    elements per wavelength when adequate."""
    parts = []
    marker = results.get("partial")
    if isinstance(marker, Mapping):
        parts.append(f"PARTIAL: {marker.get('solved', '?')} of {marker.get('of', '?')} frequencies solved")
    freqs = [f for f in results.get("frequencies_hz") or [] if isinstance(f, int | float) and math.isfinite(f)]
    if freqs:
        parts.append(f"{format_frequency(min(freqs))}–{format_frequency(max(freqs))} Hz, {len(freqs)} pts")
    mesh = _mesh(results)
    triangles, elements = mesh.get("triangles"), mesh.get("elements")
    if isinstance(triangles, int):
        parts.append(f"{triangles:,} tris")
    elif isinstance(elements, int):
        parts.append(f"axisymmetric, {elements:,} elements")
    achieved = mesh.get("elements_per_wavelength")
    if isinstance(achieved, int | float) and achieved >= MIN_ELEMENTS_PER_WAVELENGTH:
        parts.append(f"{achieved:.1f} el/λ")
    return ", ".join(parts)


def results_header(
    charted: Sequence[ChartedJob], warning_style: Style | str = "bold", shown: Sequence[Measured] = ()
) -> Text:
    """One line per job: its label, sweep/mesh summary, its deviation from each measurement ``shown`` and its mesh
    warning; then one line per measurement and what the deviations measure. Lines are cut, never wrapped."""
    if not charted and not shown:
        return Text("No results to show", style="italic")
    header = Text()
    for label, results in charted:
        header.append(label, style="bold")
        summary = _summary(results)
        if summary:
            header.append(f"  {summary}", style="dim")
        deviations = deviation_note(results, shown)
        if deviations:
            header.append(f"  {deviations}")
        warning = mesh_warning(results)
        if warning:
            header.append(f"  ⚠ {warning}", style=warning_style)
        header.append("\n")
    for measured in shown:
        label, document = measured.charted
        header.append(label, style="bold")
        header.append(f"  {(document.get('metadata') or {}).get('summary', '')}\n", style="dim")
    if shown and charted:
        header.append(band_note(shown), style="dim")
    header.rstrip()
    return header


class ResultsScreen(Screen[None]):
    """Charts for one job, or several overlaid: on-axis SPL, DI and beamwidth, throat impedance, polar maps."""

    DEFAULT_CSS = """
    ResultsScreen {
        background: $background;
    }
    ResultsScreen > #results-header {
        height: auto;
        max-height: 4;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        padding: 0 1;
        background: $panel;
    }
    ResultsScreen #results-tabs {
        height: 1fr;
    }
    ResultsScreen TabPane {
        padding: 0;
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "1", "show_tab('on-axis')", "On-axis", id="results.tab.on-axis", group=_TAB_KEYS, tooltip="on-axis SPL"
        ),
        Binding(
            "2",
            "show_tab('directivity')",
            "DI / beamwidth",
            id="results.tab.directivity",
            group=_TAB_KEYS,
            tooltip="directivity index and −6 dB beamwidth",
        ),
        Binding(
            "3",
            "show_tab('impedance')",
            "Impedance",
            id="results.tab.impedance",
            group=_TAB_KEYS,
            tooltip="throat impedance",
        ),
        Binding(
            "4",
            "show_tab('polar-h')",
            "Polar H",
            id="results.tab.polar-h",
            group=_TAB_KEYS,
            tooltip="horizontal polar map",
        ),
        Binding(
            "5",
            "show_tab('polar-v')",
            "Polar V",
            id="results.tab.polar-v",
            group=_TAB_KEYS,
            tooltip="vertical polar map",
        ),
        Binding("n", "cycle_job(1)", "Next job", id="results.next-job", tooltip="show the next job's polar map"),
        Binding(
            "p", "cycle_job(-1)", "Prev job", id="results.previous-job", tooltip="show the previous job's polar map"
        ),
        Binding(
            "m",
            "measured",
            "Measured",
            id="results.measured",
            tooltip="show or hide a stored measurement beside the jobs",
        ),
        Binding("escape,q", "close", "Back", id="results.close", tooltip="close the charts"),
    ]

    def __init__(
        self,
        charted: Sequence[ChartedJob],
        *,
        reader: ChartReader | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """``reader``, when given, reads the results again until no charted job is queued or running."""
        super().__init__(name=name, id=id, classes=classes)
        self.charted: list[ChartedJob] = list(charted)
        self.measured: list[Measured] = []
        self.reader = reader
        self.reading: Worker[None] | None = None
        self.polling: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="results-header")
        with TabbedContent(initial="on-axis", id="results-tabs"):
            with TabPane("1 On-axis", id="on-axis"):
                yield OnAxisChart(self.charted, id="chart-on-axis")
            with TabPane("2 DI / beamwidth", id="directivity"):
                yield DirectivityIndexChart(self.charted, id="chart-di")
                yield BeamwidthChart(self.charted, id="chart-beamwidth")
            with TabPane("3 Impedance", id="impedance"):
                yield ImpedanceChart(self.charted, id="chart-impedance")
            with TabPane("4 Polar H", id="polar-h"):
                yield PolarMap("horizontal", self.charted, id="polar-map-h")
            with TabPane("5 Polar V", id="polar-v"):
                yield PolarMap("vertical", self.charted, id="polar-map-v")
        yield Footer()

    def on_mount(self) -> None:
        self._update_header()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._update_header())
        if self.reader is not None and self.reader.active:
            self.polling = self.set_interval(REFRESH_S, self.refresh_results)

    def refresh_results(self) -> None:
        """Start a read unless one is still running (a slow disk never piles reads up)."""
        if self.reading is None or self.reading.is_finished:
            self.reading = self.read_results()

    @work(thread=True, group="charts-refresh")
    def read_results(self) -> None:
        reader = self.reader
        assert reader is not None
        try:
            changed = reader.refresh()
        except Exception as exc:  # a toast; the charts keep their data and the next read tries again
            self.post_message(failed("charts", exc))
            return
        if changed or not reader.active:
            self.post_message(ChartsRead(reader.charted, live=bool(reader.active)))

    def on_charts_read(self, message: ChartsRead) -> None:
        self.set_results(message.charted)
        if not message.live and self.polling is not None:
            self.polling.stop()
            self.polling = None

    def _update_header(self) -> None:
        warning = Style(color=self.app.theme_variables.get("warning"), bold=True)
        self.query_one("#results-header", Static).update(results_header(self.charted, warning, self.measured))

    @property
    def displayed(self) -> list[ChartedJob]:
        """The jobs' results, then the measurements shown beside them."""
        return self.charted + [measured.charted for measured in self.measured]

    def action_measured(self) -> None:
        self.list_measurements()

    @work(thread=True, group="measured", exclusive=True)
    def list_measurements(self) -> None:
        try:
            self.post_message(MeasurementsListed(measurements.list_measurements()))
        except Exception as exc:  # a toast naming what failed
            self.post_message(failed("measurements", exc))

    def on_measurements_listed(self, message: MeasurementsListed) -> None:
        if not message.stored:
            self.notify("no measurements stored: hornq measurement add NAME FILE.frd… adds one", severity="warning")
            return
        shown = {measured.name for measured in self.measured}
        self.app.push_screen(MeasurementPicker(message.stored, shown), self._toggle_measured)

    def _toggle_measured(self, name: str | None) -> None:
        if name is None:
            return
        if any(measured.name == name for measured in self.measured):
            self.measured = [measured for measured in self.measured if measured.name != name]
            self.set_results(self.charted)
        else:
            self.load_measurement(name)

    @work(thread=True, group="measured")
    def load_measurement(self, name: str) -> None:
        try:
            self.post_message(MeasurementLoaded(load(name)))
        except Exception as exc:  # a toast naming what failed (it may have been removed meanwhile)
            self.post_message(failed(f"measurement {name}", exc))

    def on_measurement_loaded(self, message: MeasurementLoaded) -> None:
        if all(measured.name != message.measured.name for measured in self.measured):
            self.measured.append(message.measured)
        self.set_results(self.charted)

    @property
    def active_tab(self) -> str:
        """Id of the tab shown: one of ``TABS`` (the first before the tabs exist)."""
        try:
            return self.query_one(TabbedContent).active
        except NoMatches:
            return TABS[0]

    def action_show_tab(self, tab: str) -> None:
        """Switch to a tab by pane id."""
        self.query_one(TabbedContent).active = tab

    def action_cycle_job(self, step: int) -> None:
        """Show another job on both polar maps, keeping the two planes on the same job."""
        for polar_map in self.query(PolarMap):
            polar_map.job_index += step

    def action_close(self) -> None:
        """Leave the charts, back to whatever opened them."""
        self.dismiss()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Job cycling only applies to polar tabs with several jobs; elsewhere the keys are hidden."""
        if action == "cycle_job":
            return len(self.displayed) > 1 and self.active_tab in POLAR_TABS
        return True

    def on_tabbed_content_tab_activated(self, _event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()

    def set_results(self, charted: Sequence[ChartedJob]) -> None:
        """Replace the jobs' results shown (the measurements stay), keeping the tab and the job on the polar maps."""
        self.charted = list(charted)
        self._update_header()
        for chart in self.query(LineChart):
            chart.set_results(self.displayed)
        for polar_map in self.query(PolarMap):
            polar_map.set_results(self.displayed)
        self.refresh_bindings()
