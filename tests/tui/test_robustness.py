"""The app never freezes, never crashes and never misleads: stale marks, a database held by another process,
and the strip and counts under the table, each driven by Pilot on a real database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from textual.notifications import Notify
from textual.widget import Widget
from textual.widgets import Static

from engine.config.job import parse_config
from engine.paths import Home
from engine.store import jobs, lifecycle
from engine.store.db import BUSY_TIMEOUT_ENV
from engine.store.lifecycle import Source, Status
from engine.store.models import Job
from tests.tui.conftest import plain, select, wait_until
from tui.detail import DetailScreen
from tui.dialogs import ConfirmDialog, FilterDialog
from tui.main import MainScreen

BUSY = "the database is busy (another hornq process holds it); try again"


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writers give up on a held lock after half a second (the app opens its database with this timeout)."""
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "0.5")


@contextmanager
def held_lock(home: Home) -> Iterator[None]:
    """Another connection's write lock, as a second hornq process would hold it."""
    other = sqlite3.connect(home.db_path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def text(widget: Widget) -> str:
    return str(widget.render())


def toasts(messages: list) -> list[str]:
    return [m.notification.message for m in messages if isinstance(m, Notify)]


def writing(app, group: str) -> bool:
    return any(worker.group == group and worker.is_running for worker in app.workers)


# ---------------------------------------------------------------------------------------------- marks


async def test_a_bulk_confirmation_names_the_marked_jobs_and_leaves_the_cursor_row_alone(
    make_app, sample: dict[str, str]
) -> None:
    app = make_app(poll=False)
    async with app.run_test() as pilot:
        app.main.table.marked.update({sample["error"], sample["horn"]})
        select(app, sample["complete"])
        await pilot.press("d")
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert dialog.question == "Delete 2 marked jobs?"
        assert dialog.detail.splitlines()[:3] == [
            "000000d4  error      bad mesh",
            "000000f6  complete   rosse 40",
            "(the row under the cursor, 000000c3, is not marked: it is left alone)",
        ]


async def test_a_confirmation_lists_a_few_jobs_by_name_and_counts_the_rest(make_app, home: Home) -> None:
    spec = parse_config({"kind": "command", "command": {"argv": ["true"]}}, Path("/"), label="sweep point")
    ids = jobs.submit_many([spec] * 8)
    app = make_app(poll=False)
    async with app.run_test() as pilot:
        app.main.table.marked.update(ids)
        await pilot.press("c")
        lines = app.screen.detail.splitlines()
        assert app.screen.question == "Cancel 8 marked jobs?"
        assert len([line for line in lines if line.endswith("queued     sweep point")]) == 5
        assert "and 3 more" in lines


async def test_marks_clear_after_the_bulk_action_that_used_them(make_app, cli) -> None:
    ids = [cli.submit_command("sleep", "1") for _ in range(3)]
    app = make_app()
    async with app.run_test() as pilot:
        table = app.main.table
        select(app, ids[2])
        await pilot.press("space", "space", "c", "y")
        await wait_until(pilot, lambda: Job.get_by_id(ids[1]).status == "cancelled" and not table.marked)
        await pilot.press("c")
        assert app.screen.question == f"Cancel job {ids[0][:8]}?", "the next action is on the cursor row alone"


async def test_marks_show_in_the_status_bar_at_once_and_within_80_columns(make_app, sample: dict[str, str]) -> None:
    app = make_app(poll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.main.set_query(statuses=[s.value for s in Status])
        await pilot.press("space", "space")
        bar = app.main.query_one("#status-bar")
        assert text(bar)[: bar.size.width].startswith("2 marked · ")


# ---------------------------------------------------------------------------------------------- a locked database


async def test_a_locked_database_leaves_the_app_responsive_and_each_action_says_what_failed(
    make_app, sample: dict[str, str], home: Home, short_busy_timeout: None
) -> None:
    messages: list = []
    app = make_app()
    async with app.run_test(message_hook=messages.append) as pilot:
        table = app.main.table
        with held_lock(home):
            select(app, sample["queued"])
            await pilot.press("c", "y")
            assert writing(app, "jobs"), "the cancel is waiting for the lock…"
            await pilot.press("down", "f")  # …while keys still move the cursor and open a dialog
            assert table.selected_id == sample["running"] and isinstance(app.screen, FilterDialog)
            await pilot.press("escape")
            await wait_until(pilot, lambda: f"cancel 000000a1: {BUSY}" in toasts(messages))
            assert Job.get_by_id(sample["queued"]).status == "queued"

            select(app, sample["error"])
            await pilot.press("d", "y")
            await wait_until(pilot, lambda: f"delete 000000d4: {BUSY}" in toasts(messages))
            assert sample["error"] in table.views and "6 shown" in text(app.main.query_one("#status-bar"))

            await pilot.press("enter")  # reading goes on while another process writes
            detail = app.screen
            assert isinstance(detail, DetailScreen)
            await wait_until(pilot, lambda: "no mesh file" in plain(detail.query_one("#overview-body", Static).content))
            await pilot.press("escape")

            await pilot.press("plus")
            await wait_until(pilot, lambda: f"concurrency cap: {BUSY}" in toasts(messages))
        assert isinstance(app.screen, MainScreen)

        await pilot.press("d", "y")  # the same action again, now that the lock is gone
        await wait_until(pilot, lambda: sample["error"] not in table.views)
        select(app, sample["queued"])
        await pilot.press("c", "y")
        await wait_until(pilot, lambda: Job.get_by_id(sample["queued"]).status == "cancelled")
    assert Job.get_or_none(Job.id == sample["error"]) is None


async def test_jobs_the_database_was_too_busy_to_reach_stay_marked_for_a_retry(
    make_app, cli, home: Home, short_busy_timeout: None
) -> None:
    ids = [cli.submit_command("sleep", "1") for _ in range(3)]
    messages: list = []
    app = make_app()
    async with app.run_test(message_hook=messages.append) as pilot:
        table = app.main.table
        select(app, ids[2])
        await pilot.press("space", "space")
        with held_lock(home):
            await pilot.press("c", "y")
            await wait_until(pilot, lambda: any(BUSY in note for note in toasts(messages)))
        assert table.marked == {ids[2], ids[1]}
        await pilot.press("c")
        assert app.screen.question == "Cancel 2 marked jobs?"
        await pilot.press("y")
        await wait_until(pilot, lambda: not table.marked)
    assert [Job.get_by_id(i).status for i in ids] == ["queued", "cancelled", "cancelled"]


# ---------------------------------------------------------------------------------------------- the strip and counts


async def test_the_strip_follows_the_selected_jobs_status_and_stage_on_each_poll(
    make_app, sample: dict[str, str]
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        strip = app.main.query_one("#selection")
        select(app, sample["queued"])
        await wait_until(pilot, lambda: "  queued  " in text(strip))
        lifecycle.transition(sample["queued"], Status.RUNNING, source=Source.ENGINE)
        jobs.update_job(sample["queued"], stage="mesh", stage_message="meshing the mouth")
        app.main.poller.wake()
        await wait_until(pilot, lambda: "  running  " in text(strip) and "meshing the mouth" in text(strip))
        lifecycle.transition(sample["queued"], Status.COMPLETE, source=Source.ENGINE)
        app.main.poller.wake()
        await wait_until(pilot, lambda: "  complete  " in text(strip))


async def test_the_strip_never_shows_a_deleted_job(make_app, sample: dict[str, str], home: Home) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        strip = app.main.query_one("#selection")
        select(app, sample["error"])
        await pilot.press("d", "y")
        await wait_until(pilot, lambda: sample["error"] not in app.main.table.views)
        await wait_until(pilot, lambda: text(strip).startswith(app.main.table.selected_id or "?"))
        jobs.delete(app.main.table.selected_id, home)  # another process deletes the next one
        app.main.poller.wake()
        await wait_until(pilot, lambda: len(app.main.table.views) == 4)
        await wait_until(pilot, lambda: text(strip).startswith(app.main.table.selected_id or "?"))


async def test_counts_stay_right_after_deletes_and_as_jobs_come_and_go(
    make_app, sample: dict[str, str], home: Home, cli
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        bar = app.main.query_one("#status-bar")
        select(app, sample["error"])
        await pilot.press("d", "y")
        await wait_until(pilot, lambda: "· 5 shown" in text(bar))
        cli.submit_command("true")
        app.main.poller.wake()
        await wait_until(pilot, lambda: "· 6 shown" in text(bar))
        jobs.delete(sample["complete"], home)
        app.main.poller.wake()
        await wait_until(pilot, lambda: "· 5 shown" in text(bar))
        app.main.set_query(statuses=["complete"])
        await wait_until(pilot, lambda: "· 1 shown" in text(bar))


async def test_counts_beyond_the_window_follow_jobs_the_table_does_not_hold(make_app, home: Home) -> None:
    spec = parse_config({"kind": "command", "command": {"argv": ["true"]}}, Path("/"))
    ids = jobs.submit_many([spec] * 503)
    app = make_app()
    async with app.run_test() as pilot:
        bar = app.main.query_one("#status-bar")
        assert "500 of 503 shown" in text(bar)
        for job_id in ids[:2]:  # the oldest, beyond the window
            jobs.request_stop(job_id)
            jobs.delete(job_id, home)
        app.main.poller.wake()
        await wait_until(pilot, lambda: "500 of 501 shown" in text(bar))
