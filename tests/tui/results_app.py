"""A small app that opens the results screen on the fixture data, for snapshot and Pilot tests.

``snap_compare("results_app.py")`` runs the single-job view; tests build ``ResultsApp(overlay=True)`` for two
jobs overlaid. Nothing here depends on time, and the hornq themes are registered as the real app does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Static

from themes import builtin_themes
from tui.plotting import ChartedJob
from tui.results import ResultsScreen

DATA = Path(__file__).resolve().parent / "data"


def load_fixture(name: str = "results.json") -> dict[str, Any]:
    """A synthetic result set, as ``hornq results ID --json`` prints it."""
    return json.loads((DATA / name).read_text())


def fixture_charted(overlay: bool = False) -> list[ChartedJob]:
    """The labelled jobs the screen opens with: one, or two to overlay."""
    charted: list[ChartedJob] = [("horn-90x60", load_fixture("results.json"))]
    if overlay:
        charted.append(("horn-60x40", load_fixture("results_b.json")))
    return charted


class ResultsApp(App[None]):
    """Opens ``ResultsScreen`` over a plain base screen, so closing it can be observed."""

    def __init__(
        self, charted: list[ChartedJob] | None = None, *, overlay: bool = False, theme: str = "hornq-dusk"
    ) -> None:
        super().__init__()
        self.charted = charted if charted is not None else fixture_charted(overlay)
        for custom in builtin_themes():
            self.register_theme(custom)
        self.theme = theme

    def compose(self) -> ComposeResult:
        yield Static("job table", id="base")

    def on_mount(self) -> None:
        self.push_screen(ResultsScreen(self.charted))


app = ResultsApp()

if __name__ == "__main__":
    app.run()
