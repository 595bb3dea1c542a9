"""Studies in the app: grouped and foldable in the job table, compared in a sortable table and on charts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static
from textual.widgets.data_table import ColumnKey

from engine.config.optimize import Options
from engine.paths import Home
from engine.store import jobs, lifecycle, optimize, studies, watch
from engine.store import metrics as metricstore
from engine.store.lifecycle import Source, Status
from engine.store.models import Job, JobResult, Optimization
from tests.tui.conftest import plain, wait_until
from tests.tui.study_sample import HORN, STUDY_ID, populate_study, synthetic_results
from tui.compare import ComparisonScreen, MetricChartScreen, MetricPlot, metric_series
from tui.dialogs import ConfirmDialog
from tui.optimize import ObjectivePlot, OptimizationScreen
from tui.results import ResultsScreen
from tui.studies import header_key

APP = str(Path(__file__).parent / "studies_app.py")
HEADER = header_key(STUDY_ID)


@pytest.fixture
def study(home: Home) -> dict:
    return populate_study(home)


def shown_rows(table: DataTable) -> list[str]:
    return [table.coordinate_to_cell_key((row, 0))[0].value for row in range(table.row_count)]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_study_grouped_in_the_job_table(snap_compare, size: tuple[int, int]) -> None:
    async def on_header(pilot) -> None:
        await pilot.press("down")
        await pilot.pause()

    assert snap_compare(APP, terminal_size=size, run_before=on_header)


def test_snapshot_comparison_of_a_study(snap_compare) -> None:
    async def compare(pilot) -> None:
        await pilot.press("down", "C")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ComparisonScreen))
        await pilot.pause()

    assert snap_compare(APP, terminal_size=(80, 24), run_before=compare)


async def test_study_jobs_sit_under_their_header_with_the_studys_progress(make_app, study: dict) -> None:
    app = make_app(poll=False)
    async with app.run_test():
        table = app.main.table
        points = study["points"]
        assert shown_rows(table) == [
            study["queued"],
            HEADER,
            *(points[a] for a in (60, 55, 50, 45, 40)),
            study["plain"],
        ]
        assert table.get_cell(HEADER, "status").plain == "3/5"
        assert table.get_cell(HEADER, "message").plain == "1 running · 1 queued · varies a"
        assert table.get_cell(points[45], "label").plain == " a=45"


async def test_enter_on_a_header_folds_the_study_and_z_on_a_member_unfolds_it(make_app, study: dict) -> None:
    app = make_app(poll=False)
    async with app.run_test() as pilot:
        table = app.main.table
        await pilot.press("down", "enter")
        assert shown_rows(table) == [study["queued"], HEADER, study["plain"]]
        assert table.selected_study == STUDY_ID and str(table.get_cell(HEADER, "id")).startswith("▸")
        await pilot.press("z")
        assert len(shown_rows(table)) == 8 and table.cursor_key == HEADER


async def test_updates_to_folded_jobs_still_move_the_header(make_app, study: dict) -> None:
    app = make_app(poll=False)
    async with app.run_test() as pilot:
        table = app.main.table
        await pilot.press("down", "enter")
        jobs.request_stop(study["points"][60])
        table.upsert(watch.changes_since(0).changed)
        assert table.get_cell(HEADER, "status").plain == "4/5"
        assert study["points"][60] not in shown_rows(table)


async def test_actions_on_a_header_apply_to_the_studys_jobs(make_app, study: dict) -> None:
    app = make_app(poll=False)
    async with app.run_test() as pilot:
        table = app.main.table
        await pilot.press("down")
        assert set(table.targets()) == set(study["points"].values())
        await pilot.press("c")
        assert isinstance(app.screen, ConfirmDialog) and app.screen.question == "Cancel 2 jobs?"
        await pilot.press("y")
        await wait_until(pilot, lambda: Job.get_by_id(study["points"][60]).status == "cancelled")
        running, queued = (Job.get_by_id(study["points"][a]) for a in (55, 60))
        assert (running.cancellation_requested, queued.status) == (True, "cancelled")
        table.upsert(watch.changes_since(0).changed)
        await pilot.press("r")
        await wait_until(pilot, lambda: studies.latest(STUDY_ID)[-1].status == "queued")
        again = studies.latest(STUDY_ID)
        assert [j.status for j in again] == ["complete", "complete", "complete", "running", "queued"]
        assert again[-1].id != queued.id and json.loads(again[-1].study_values_json) == {"a": 60}
        await pilot.press("space")
        assert table.marked == set(study["points"].values())


async def test_deleting_every_job_of_a_study_removes_its_header(make_app, study: dict) -> None:
    app = make_app(poll=False)
    async with app.run_test():
        table = app.main.table
        table.remove(study["points"].values())
        assert shown_rows(table) == [study["queued"], study["plain"]]


async def test_compare_opens_the_whole_study_sorts_and_charts_a_metric_against_the_parameter(
    make_app, study: dict
) -> None:
    app = make_app(poll=False)
    async with app.run_test() as pilot:
        await pilot.press("down", "down", "C")  # on a member: its whole study
        await wait_until(pilot, lambda: isinstance(app.screen, ComparisonScreen))
        screen = app.screen
        assert isinstance(screen, ComparisonScreen)
        assert shown_rows(screen.table) == [study["points"][a] for a in (40, 45, 50, 55, 60)]
        await pilot.press("right", "right", "right", "s")  # the DI mean column, lowest first
        assert shown_rows(screen.table)[:3] == [study["points"][a] for a in (50, 45, 40)]
        assert screen.table.columns[ColumnKey("di_mean")].label.plain == "DI\nmean↑"
        await pilot.press("s")
        assert shown_rows(screen.table)[:3] == [study["points"][a] for a in (40, 45, 50)]
        assert screen.table.columns[ColumnKey("di_mean")].label.plain == "DI\nmean↓"
        await pilot.press("v")
        chart = app.screen
        assert isinstance(chart, MetricChartScreen) and chart.metric == "di_mean"
        assert [len(points) for _, points in chart.query_one(MetricPlot).series] == [3]
        await pilot.press("right")
        assert chart.metric == "bw_h_spread"
        await pilot.press("escape", "g")
        await wait_until(pilot, lambda: isinstance(app.screen, ResultsScreen))
        assert isinstance(app.screen, ResultsScreen) and len(app.screen.charted) == 3
        assert [label for label, _ in app.screen.charted] == ["a=40", "a=45", "a=50"]


async def test_marked_jobs_are_compared_alone(make_app, study: dict) -> None:
    app = make_app(poll=False)
    async with app.run_test() as pilot:
        app.main.table.reselect(study["points"][45])
        await pilot.press("space", "space", "C")
        await wait_until(pilot, lambda: isinstance(app.screen, ComparisonScreen))
        screen = app.screen
        assert isinstance(screen, ComparisonScreen)
        assert shown_rows(screen.table) == [study["points"][45], study["points"][40]]
        assert screen.document["study"]["name"] == "coverage"


def test_metric_series_draws_a_line_per_value_of_the_other_parameters() -> None:
    row = {"study_values": None, "metrics": None}
    document = {
        "jobs": [
            {**row, "study_values": {"a": 50, "R": 100}, "metrics": {"di_mean": 5.0}},
            {**row, "study_values": {"a": 40, "R": 100}, "metrics": {"di_mean": 6.0}},
            {**row, "study_values": {"a": 40, "R": 130}, "metrics": {"di_mean": 7.0}},
            {**row, "study_values": {"a": 50, "R": 130}},
        ]
    }
    assert metric_series(document, "di_mean", "a") == [("R=100", [(40, 6.0), (50, 5.0)]), ("R=130", [(40, 7.0)])]
    assert metric_series(document, "di_mean", "R") == [("a=50", [(100, 5.0)]), ("a=40", [(100, 6.0), (130, 7.0)])]


# ---------------------------------------------------------------- an optimize study


@pytest.fixture
def optimization(home: Home) -> dict:
    """An optimisation of a = 40…60° with four told trials (one failed) and one in flight, as the engine leaves them."""
    plan = optimize.draft(HORN, Path("/"), Options(vary=["a=40..60"], objective="bw_h_spread", trials=8))
    row = Optimization.get_by_id(optimize.create(plan).id)
    trials = {}
    for number, a in enumerate((44, 52, 58, 41, 47)):
        job_id = optimize.propose(row, number, {"a": a}).job_id
        trials[a] = job_id
        if a == 47:
            continue
        lifecycle.transition(job_id, Status.RUNNING, source=Source.ENGINE)
        if a == 41:
            lifecycle.transition(job_id, Status.ERROR, source=Source.ENGINE)
            optimize.record_told(row.study_id, number, None, None, "its job failed")
            continue
        JobResult.create(job=job_id, results_json=json.dumps(synthetic_results(job_id, a)))
        lifecycle.transition(job_id, Status.COMPLETE, source=Source.ENGINE, has_results=True)
        spread = metricstore.ensure([job_id])[job_id]["values"]["bw_h_spread"]
        optimize.record_told(row.study_id, number, spread, None, None)
    return {"study": row.study_id, "trials": trials}


async def test_o_on_an_optimize_study_shows_its_best_design_objective_per_trial_and_trials_ranked(
    make_app, optimization: dict
) -> None:
    app = make_app(poll=False)
    async with app.run_test() as pilot:
        assert app.main.table.selected_study == optimization["study"]
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(app.screen, OptimizationScreen))
        screen = app.screen
        assert isinstance(screen, OptimizationScreen)
        history = screen.optimization.progress["history"]
        spread = {t["values"]["a"]: t["objective"] for t in history}
        best = min(value for value in spread.values() if value is not None)
        (widest,) = [a for a, value in spread.items() if value == best]
        title = plain(screen.query_one("#optimization-title", Static).content)
        assert "minimize bw_h_spread · 4/8 trials, 1 failed" in title
        assert f"best  {best:.4g}  a={widest}" in title
        plot = screen.query_one(ObjectivePlot)
        assert plot.points == [(1, spread[44]), (2, spread[52]), (3, spread[58])]
        assert [y for _, y in plot.best] == [min(list(spread.values())[: i + 1]) for i in range(3)]
        ranked = [screen.table.coordinate_to_cell_key((row, 0))[0].value for row in range(screen.table.row_count)]
        scored = sorted((value, place) for place, value in enumerate(spread.values(), start=1) if value is not None)
        assert ranked == [str(place) for _, place in scored] + ["4", "5"]
        assert screen.table.get_cell("4", "state").plain == "failed"


async def test_an_optimisation_whose_best_job_was_deleted_still_shows_its_best_design(
    make_app, home: Home, optimization: dict
) -> None:
    best = min(optimize.progress(optimization["study"])["history"], key=lambda t: t["objective"] or float("inf"))
    jobs.delete(best["job_id"], home)
    app = make_app(poll=False)
    async with app.run_test() as pilot:
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(app.screen, OptimizationScreen))
        title = plain(app.screen.query_one("#optimization-title", Static).content)
        assert f"best  {best['objective']:.4g}" in title and "its job was deleted" in title


async def test_a_best_design_at_the_end_of_its_range_is_pointed_out(make_app, optimization: dict) -> None:
    row = Optimization.get_by_id(optimization["study"])
    job_id = optimize.propose(row, 5, {"a": 60}).job_id
    lifecycle.transition(job_id, Status.RUNNING, source=Source.ENGINE)
    lifecycle.transition(job_id, Status.COMPLETE, source=Source.ENGINE)
    optimize.record_told(row.study_id, 5, 0.5, None, None)
    app = make_app(poll=False)
    async with app.run_test() as pilot:
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(app.screen, OptimizationScreen))
        title = plain(app.screen.query_one("#optimization-title", Static).content)
        assert "best  0.5  a=60" in title and "at a's high end: a better design may lie beyond" in title


async def test_a_running_optimisation_counts_its_planned_trials_until_it_ends(make_app, optimization: dict) -> None:
    app = make_app()
    header = header_key(optimization["study"])
    async with app.run_test() as pilot:
        table = app.main.table
        await wait_until(pilot, lambda: header in table.rows and table.get_cell(header, "status").plain == "4/8")
        studies.stop(optimization["study"])
        app.main.poller.wake()
        await wait_until(pilot, lambda: table.get_cell(header, "status").plain == "5/5")


async def test_an_optimisation_that_ends_without_a_job_changing_stops_counting_untried_trials(
    make_app, optimization: dict
) -> None:
    app = make_app()
    header = header_key(optimization["study"])
    async with app.run_test() as pilot:
        table = app.main.table
        lifecycle.transition(optimization["trials"][47], Status.CANCELLED, source=Source.USER)
        app.main.poller.wake()
        await wait_until(pilot, lambda: header in table.rows and table.get_cell(header, "status").plain == "5/8")
        optimize.end(optimization["study"], optimize.ENDED_TRIALS)
        app.main.poller.wake()
        await wait_until(pilot, lambda: table.get_cell(header, "status").plain == "5/5")


async def test_o_on_a_grid_study_says_it_does_not_optimise(make_app, study: dict) -> None:
    app = make_app(poll=False)
    async with app.run_test() as pilot:
        await pilot.press("down", "o")
        await wait_until(pilot, lambda: app._notifications)
        assert "not an optimize study" in list(app._notifications)[-1].message
        assert not isinstance(app.screen, OptimizationScreen)
