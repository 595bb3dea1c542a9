"""Measured responses beside the charted jobs: a picker of the stored measurements, and how far each job's on-axis
response is from each measurement shown (dB rms over the metrics' band, their mean level difference removed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from engine.solvers import entry, metric_set
from engine.store import measurements
from engine.store.measurements import Stored
from tui.plotting import ChartedJob, Results, format_frequency


@dataclass(frozen=True)
class Measured:
    """A measurement on the charts: its name and kind, and its results-shaped document."""

    name: str
    kind: str
    document: Results

    @property
    def charted(self) -> ChartedJob:
        return (f"measured {self.name}", self.document)


class MeasurementsListed(Message):
    """The stored measurements, read in a worker thread, for the picker."""

    def __init__(self, stored: list[Stored]) -> None:
        super().__init__()
        self.stored = stored


class MeasurementLoaded(Message):
    """A measurement's document, read in a worker thread, to put on the charts."""

    def __init__(self, measured: Measured) -> None:
        super().__init__()
        self.measured = measured


def load(name: str) -> Measured:
    """A stored measurement with its document (database work: call it from a worker thread)."""
    stored, document = measurements.get(name)
    return Measured(stored.name, stored.kind, document)


class MeasurementPicker(ModalScreen[str | None]):
    """Choose a measurement to show beside the jobs, or one shown to take off the charts."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="measured.cancel", tooltip="measurements: close, change nothing")
    ]

    def __init__(self, stored: Sequence[Stored], shown: set[str]) -> None:
        super().__init__()
        self.stored = list(stored)
        self.shown = shown

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Measurements beside the charts", classes="dialog-title")
            yield OptionList(*(self._option(stored) for stored in self.stored), id="measurements")
            yield Static("Enter shows or hides · Esc closes", classes="dialog-hint")

    def _option(self, stored: Stored) -> Option:
        mark = "✓ " if stored.name in self.shown else "  "
        return Option(f"{mark}{stored.name}  {stored.summary}", id=stored.name)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def deviation_note(results: Results, shown: Sequence[Measured]) -> str:
    """``Δ bench 1.2 dB``: each measurement's on-axis deviation from these results, over the metrics' band."""
    notes = []
    for measured in shown:
        deviation = _deviation(results, measured)
        if deviation is not None:
            notes.append(f"Δ {measured.name} {deviation:.1f} dB")
    return ", ".join(notes)


def band_note(shown: Sequence[Measured]) -> str:
    """``Δ: on-axis rms, 1–10 kHz, levels aligned``: what the deviations measure."""
    if not shown:
        return ""
    settings = _settings(shown[0].kind)
    if settings is None:
        return ""
    low, high = settings.band_hz
    return f"Δ: on-axis rms over {format_frequency(low)}–{format_frequency(high)}Hz, mean levels aligned"


def _settings(kind: str) -> Any:
    metrics = metric_set(kind)
    return None if metrics is None else metrics.DEFAULTS


def _deviation(results: Results, measured: Measured) -> float | None:
    deviate = entry(measured.kind, "measurement_deviation")
    settings = _settings(measured.kind)
    if deviate is None or settings is None:
        return None
    return deviate(dict(results), dict(measured.document), settings)
