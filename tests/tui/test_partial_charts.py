"""Charts of partial results say so in their header, and the charts of a running job follow it live until it ends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.widgets import Static

from engine.config.job import parse_config
from engine.paths import Home
from engine.run.output import write_partial
from engine.store import jobs, lifecycle, results
from engine.store.lifecycle import Source, Status
from engine.store.models import Job, database
from tests.tui.conftest import plain, select, wait_until
from tests.tui.sample import DATA, HORN_SUMMARY
from tui.app import HornqApp
from tui.line_charts import OnAxisChart, TracePlot
from tui.polar_map import PolarMap
from tui.results import ResultsScreen, results_header

SWEEP = 24


def test_the_header_of_partial_results_says_how_much_is_solved() -> None:
    partial = {"frequencies_hz": [1000.0, 4000.0], "partial": {"solved": 2, "of": 40}}
    assert "PARTIAL: 2 of 40 frequencies solved" in results_header([("horn", partial)]).plain


def test_the_header_of_complete_results_does_not_say_partial() -> None:
    assert "PARTIAL" not in results_header([("horn", {"frequencies_hz": [1000.0, 4000.0]})]).plain


# ------------------------------------------------------------------------ a running job's charts, live


def complete_results() -> dict[str, Any]:
    return json.loads((DATA / "results.json").read_text())


def first(solved: int) -> dict[str, Any]:
    """The results of the first ``solved`` frequencies of the sweep, as a worker streams them."""

    def cut(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: cut(item) for key, item in value.items()}
        if isinstance(value, list) and len(value) == SWEEP:
            return value[:solved]
        return value

    return {**cut(complete_results()), "partial": {"solved": solved, "of": SWEEP}}


def running_horn_job(home: Home) -> str:
    spec = parse_config({"kind": "command", "command": {"argv": ["true"]}}, Path("/"), label="live horn")
    job_id = jobs.submit(spec).id
    lifecycle.transition(job_id, Status.RUNNING, source=Source.ENGINE)
    Job.update(kind="horn", config_summary_json=json.dumps(HORN_SUMMARY)).where(Job.id == job_id).execute()
    return job_id


def stream(home: Home, job_id: str, solved: int) -> None:
    workdir = home.job_workdir(job_id)
    workdir.mkdir(parents=True, exist_ok=True)
    write_partial(workdir, first(solved))


def header(screen: ResultsScreen) -> str:
    return plain(screen.query_one("#results-header", Static).content)


def on_axis_points(screen: ResultsScreen) -> int:
    return len(screen.query_one(OnAxisChart).query_one(TracePlot).traces[0].x)


async def open_charts(app: HornqApp, pilot, job_id: str) -> ResultsScreen:
    select(app, job_id)
    await pilot.press("g")
    await wait_until(pilot, lambda: isinstance(app.screen, ResultsScreen))
    assert isinstance(app.screen, ResultsScreen)
    return app.screen


async def test_the_charts_of_a_running_job_grow_as_it_solves_frequencies(make_app, home: Home) -> None:
    job_id = running_horn_job(home)
    stream(home, job_id, 3)
    app = make_app(poll=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_charts(app, pilot, job_id)
        assert "PARTIAL: 3 of 24 frequencies solved" in header(screen) and on_axis_points(screen) == 3
        await pilot.press("4")
        stream(home, job_id, 7)
        await wait_until(pilot, lambda: "PARTIAL: 7 of 24" in header(screen))
        assert on_axis_points(screen) == 7 and "7 pts" in header(screen)
        assert screen.active_tab == "polar-h", "the chosen tab stays"
        assert len(screen.query_one("#polar-map-h", PolarMap).data.frequencies) == 7


async def test_the_charts_end_on_the_complete_results_when_the_job_completes(make_app, home: Home) -> None:
    job_id = running_horn_job(home)
    stream(home, job_id, 5)
    app = make_app(poll=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_charts(app, pilot, job_id)
        with database.atomic():
            stored = results.store(Job.get_by_id(job_id), complete_results(), {})
            lifecycle.transition(job_id, Status.COMPLETE, source=Source.ENGINE, **stored)
        await wait_until(pilot, lambda: "PARTIAL" not in header(screen))
        assert on_axis_points(screen) == SWEEP and f"{SWEEP} pts" in header(screen)
        assert screen.polling is None, "an ended job is read no more"


async def test_the_charts_of_a_cancelled_job_end_on_its_stored_partial_results(make_app, home: Home) -> None:
    job_id = running_horn_job(home)
    stream(home, job_id, 5)
    app = make_app(poll=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_charts(app, pilot, job_id)
        with database.atomic():
            results.store_partial(Job.get_by_id(job_id), first(6))
            lifecycle.transition(job_id, Status.CANCELLED, source=Source.USER)
        await wait_until(pilot, lambda: screen.polling is None)
        assert "PARTIAL: 6 of 24" in header(screen) and on_axis_points(screen) == 6
