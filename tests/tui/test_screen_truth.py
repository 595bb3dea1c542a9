"""What the screen says is true: user text shown as written, the detail and the charts saying what a job is,
the sort and the cap as they are, toasts that do not pile up, and a first screen that says what to do."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Label, Static

from engine.paths import Home
from engine.solvers import entry
from engine.store import jobs, settings
from engine.store.models import Job, JobResult
from tests.tui.conftest import plain, select, settle, wait_until
from tests.tui.results_app import ResultsApp, load_fixture
from tests.tui.sample import HORN_SUMMARY, _job
from tui.compare import band_text
from tui.detail import DetailScreen
from tui.line_charts import ImpedanceChart, TracePlot
from tui.results import ResultsScreen


def title_of(app) -> str:
    return str(app.screen.query_one(".dialog-title", Label).render())


def toasts_shown(app) -> list[str]:
    return [str(toast.render()) for toast in app.screen.query("Toast")]


async def test_dialogs_show_user_text_as_written_never_as_markup(make_app, sample: dict[str, str]) -> None:
    jobs.set_label(sample["complete"], "[b]ref[/b] [study]")
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("n")
        assert title_of(app) == "New job (or [study]) from a config file"
        await pilot.press("escape")
        select(app, sample["complete"])
        await wait_until(pilot, lambda: app.main.table.views[sample["complete"]].label == "[b]ref[/b] [study]")
        await pilot.press("d")
        assert title_of(app) == "Delete job 000000c3 ([b]ref[/b] [study])?"


async def test_the_detail_says_what_the_config_is_and_no_stage_once_the_job_finished(
    make_app, sample: dict[str, str]
) -> None:
    Job.update(stage="running", stage_message="").where(Job.id == sample["horn"]).execute()
    app = make_app(poll=False)
    async with app.run_test() as pilot:
        select(app, sample["horn"])
        await pilot.press("enter")
        body = app.screen.query_one("#overview-body", Static)
        await wait_until(pilot, lambda: "history" in plain(body.content))
        overview = plain(body.content)
        assert isinstance(app.screen, DetailScreen)
        assert entry("horn", "summary_line")(HORN_SUMMARY) in overview
        assert not any(raw in overview for raw in ("sim_type", "[200, 20000]", "stage"))


async def test_overlaid_jobs_that_share_a_label_are_told_apart_by_their_short_ids(
    make_app, sample: dict[str, str]
) -> None:
    twin = _job("rosse 40", ["true"], 0xF7)
    Job.update(kind="horn", status="complete", has_results=True).where(Job.id == twin).execute()
    JobResult.create(job=twin, results_json=json.dumps(load_fixture("results_b.json")))
    app = make_app(poll=False)
    async with app.run_test() as pilot:
        app.main.table.marked.update({sample["horn"], twin})
        await pilot.press("g")
        await wait_until(pilot, lambda: isinstance(app.screen, ResultsScreen))
        assert sorted(name for name, _ in app.screen.charted) == ["rosse 40 000000f6", "rosse 40 000000f7"]


async def test_the_cap_stays_at_one_and_the_same_toast_again_shows_a_count(make_app, sample: dict[str, str]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        for _ in range(3):
            await pilot.press("minus")
            await wait_until(pilot, lambda: not any(w.group == "settings" for w in app.workers))
        await settle(pilot)
        assert settings.get("max_concurrent_jobs") == 1
        assert toasts_shown(app) == ["at least 1 job runs at once (×3)"]
        select(app, sample["complete"])
        await pilot.press("b", "b", "c", "x")  # four more toasts, three of them different
        await settle(pilot)
        shown = toasts_shown(app)
        assert len(shown) == 3 and "at least 1 job runs at once (×3)" not in shown


async def test_the_sort_column_is_marked_in_the_header(make_app, sample: dict[str, str]) -> None:
    app = make_app(poll=False)
    async with app.run_test(size=(120, 40)) as pilot:  # wide enough for every column, Queued included
        table = app.main.table

        def header(column: str) -> str:
            return next(c.label.plain for key, c in table.columns.items() if key.value == column)

        assert header("queued") == "Queued↓" and header("status") == "Status"
        await pilot.press("s")
        assert header("status") == "Status↓" and header("queued") == "Queued"
        await pilot.press("S")
        assert header("status") == "Status↑"
        app.main.set_query(sort="started")
        assert header("queued") == "Started↑"
        assert table.get_cell(sample["running"], "queued") == "11:35:00", "the column shows when each job started"


async def test_the_first_screen_says_how_to_queue_a_job_in_place_of_an_empty_table(make_app, home: Home) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        hint = app.main.query_one("#empty", Static)
        await wait_until(pilot, lambda: hint.display)
        text = " ".join(str(hint.render()).split())
        assert "hornq config example horn > horn.toml then press n" in text and "? lists every key" in text
        assert not app.main.table.display, "no empty table (nor its scrollbar)"
        app.main.set_query(statuses=["error"])
        await wait_until(pilot, lambda: "No job matches the filter (error)" in str(hint.render()))
        app.main.set_query(statuses=[])
        job_id = _job("first", ["true"], 1)
        app.main.poller.wake()
        await wait_until(pilot, lambda: app.main.table.display and not hint.display)
        assert app.main.table.selected_id == job_id and app.focused is app.main.table


async def test_the_impedance_chart_reads_as_the_exported_impedance_file(tmp_path: Path) -> None:
    results = load_fixture()
    entry("horn", "export_results")(results, tmp_path, "frd", "horn")
    rows = [line.split() for line in next(tmp_path.rglob("impedance.txt")).read_text().splitlines()]
    exported_imag = [float(row[2]) for row in rows if not row[0].startswith("*")]
    app = ResultsApp([("horn", results)])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        chart = app.screen.query_one(ImpedanceChart)
        shown_imag = next(t.y for t in chart.query_one(TracePlot).traces if t.quantity == "Im")
        assert shown_imag == exported_imag
        assert "e^+jωt" in chart.title()


def test_the_compare_header_says_the_band_the_metrics_used() -> None:
    document = {"settings": {"band_hz": [1000.0, 10000.0]}, "jobs": [{"band_used_hz": [1000.0, 2000.0]}]}
    assert band_text(document) == "band 1–2 kHz"
    document["jobs"].append({"band_used_hz": [1000.0, 10000.0]})
    assert band_text(document) == "band 1–10 kHz, cut to each sweep"
    document["jobs"] = [{"band_used_hz": None}]
    assert band_text(document) == "band 1–10 kHz, cut to each sweep"
