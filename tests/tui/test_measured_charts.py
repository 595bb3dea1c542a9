"""A stored measurement beside a job's charts: picked with `m`, drawn with the job, its deviation in the header."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import OptionList

from engine.paths import Home
from engine.solvers import entry
from engine.store import measurements
from tests.tui.conftest import wait_until
from tests.tui.sample import DATA
from tests.tui.test_partial_charts import header, open_charts
from tui.line_charts import OnAxisChart, TracePlot
from tui.measured import MeasurementPicker


def store_measurement(tmp_path: Path, name: str) -> None:
    """A real result of another horn, exported as FRD polars and read back as a measurement."""
    exported = entry("horn", "export_results")(json.loads((DATA / "results_b.json").read_text()), tmp_path, "frd", "b")
    assert exported
    document = entry("horn", "read_measurement")([tmp_path], 2.0)
    measurements.add(name, "horn", document)


def on_axis_lines(app) -> int:
    return len(app.screen.query_one(OnAxisChart).query_one(TracePlot).traces)


async def pick(app, pilot) -> None:
    await pilot.press("m")
    await wait_until(pilot, lambda: isinstance(app.screen, MeasurementPicker))
    app.screen.query_one(OptionList).highlighted = 0
    await pilot.press("enter")


async def test_a_measurement_is_drawn_beside_the_job_with_its_deviation_and_taken_off_again(
    make_app, home: Home, sample: dict[str, str], tmp_path: Path
) -> None:
    store_measurement(tmp_path, "bench")
    app = make_app(poll=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_charts(app, pilot, sample["horn"])
        assert on_axis_lines(app) == 1
        await pick(app, pilot)
        await wait_until(pilot, lambda: on_axis_lines(app) == 2)
        shown = header(app.screen)
        assert "measured bench" in shown and "Δ bench " in shown and "mean levels aligned" in shown
        await pick(app, pilot)
        await wait_until(pilot, lambda: on_axis_lines(app) == 1)
        assert "bench" not in header(app.screen)


async def test_without_stored_measurements_m_says_how_to_add_one(make_app, home: Home, sample: dict[str, str]) -> None:
    app = make_app(poll=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_charts(app, pilot, sample["horn"])
        await pilot.press("m")
        await wait_until(pilot, lambda: any("hornq measurement add" in str(n.message) for n in app._notifications))
