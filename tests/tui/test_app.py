"""The app driven by Pilot against a real database, with real engine transitions where jobs must run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from textual.notifications import Notify
from textual.widgets import Input, Log, RadioButton, Static

from engine.paths import Home
from engine.store import jobs, optimize, settings
from engine.store.models import Job, Optimization, Study, database
from tests.conftest import Cli, EngineProcess
from tests.horn.test_horn_job import SMALL_HORN
from tests.tui.conftest import plain, quit_app, select, settle, wait_until
from tui.detail import DetailScreen
from tui.dialogs import ConfirmDialog, ExportDialog, InputDialog
from tui.help import HelpScreen
from tui.main import MainScreen
from tui.state import ViewState


async def test_every_job_appears_with_its_state_and_the_newest_first(make_app, sample: dict[str, str]) -> None:
    app = make_app(poll=False)
    async with app.run_test():
        table = app.main.table
        assert list(table.views) == [sample[n] for n in ("queued", "running", "cancelled", "error", "complete", "horn")]
        assert table.get_cell(sample["running"], "message").plain == "Solving 12/40 at 1.3 kHz"
        assert table.get_cell(sample["running"], "progress").plain.endswith(" 30%")
        assert table.get_cell(sample["running"], "elapsed") == "25m00s"
        assert table.get_cell(sample["running"], "eta") == "58m20s"


async def test_new_job_dialog_shows_config_errors_inline_and_queues_a_valid_file(
    make_app, home: Home, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('kind = "command"\n[command]\nargv = ["true"]\nwhat = 1\n')
    good = tmp_path / "good.toml"
    good.write_text('kind = "command"\nlabel = "from the app"\n[command]\nargv = ["true"]\n')
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("n")
        dialog = app.screen
        assert isinstance(dialog, InputDialog)
        dialog.query_one(Input).value = str(bad)
        await pilot.press("enter")
        assert "command.what" in str(dialog.query_one("#error").render())
        assert Job.select().count() == 0
        dialog.query_one(Input).value = str(good)
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(app.main.table.views) == 1)
        job = Job.get()
        assert job.label == "from the app" and app.main.table.selected_id == job.id


async def test_new_job_dialog_starts_an_optimisation_for_the_engine_to_propose_its_points(
    make_app, home: Home, tmp_path: Path
) -> None:
    path = tmp_path / "search.toml"
    study = '\n[study]\nmode = "optimize"\nobjective = "bw_h_spread"\ntrials = 6\n[study.vary]\na = "30..45"\n'
    path.write_text(SMALL_HORN.format(label="search") + study)
    messages: list = []
    app = make_app()
    async with app.run_test(message_hook=messages.append) as pilot:
        await pilot.press("n")
        app.screen.query_one(Input).value = str(path)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        toasts = [m.notification.message for m in messages if isinstance(m, Notify)]
        assert any(t.startswith("started optimisation 'search': its points appear as the engine") for t in toasts)
    (row,) = Optimization.select()
    assert (optimize.goal(row).trials, Study.get_by_id(row.study_id).name, Job.select().count()) == (6, "search", 0)


async def test_cancel_asks_first_and_no_is_the_default(make_app, sample: dict[str, str]) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        select(app, sample["queued"])
        await pilot.press("c")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # the focused button is No
        assert Job.get_by_id(sample["queued"]).status == "queued"
        await pilot.press("c", "y")
        await wait_until(pilot, lambda: app.main.table.views[sample["queued"]].status == "cancelled")
        assert Job.get_by_id(sample["queued"]).status == "cancelled"


async def test_cancel_of_a_running_job_stops_it_through_the_engine(
    make_app, cli: Cli, engine_process: EngineProcess
) -> None:
    job_id = cli.submit_command("sleep", "300")
    engine_process.start()
    app = make_app(clock=False)
    async with app.run_test() as pilot:
        await wait_until(
            pilot, lambda: app.main.table.views.get(job_id) and app.main.table.views[job_id].status == "running"
        )
        select(app, job_id)
        await pilot.press("c", "y")
        await wait_until(pilot, lambda: app.main.table.views[job_id].status == "cancelled")
    assert Job.get_by_id(job_id).status == "cancelled"


async def test_delete_refuses_active_jobs_and_removes_finished_ones(
    make_app, sample: dict[str, str], home: Home
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        select(app, sample["running"])
        await pilot.press("d")
        assert isinstance(app.screen, MainScreen), "no confirmation for a job that cannot be deleted"
        assert Job.get_by_id(sample["running"]).status == "running"
        select(app, sample["error"])
        await pilot.press("d", "y")
        await wait_until(pilot, lambda: sample["error"] not in app.main.table.views)
        assert Job.get_or_none(Job.id == sample["error"]) is None


async def test_marked_jobs_are_cancelled_together(make_app, cli: Cli) -> None:
    ids = [cli.submit_command("sleep", "1") for _ in range(3)]
    app = make_app()
    async with app.run_test() as pilot:
        select(app, ids[2])
        await pilot.press("space", "space")  # marks the newest two, moving down
        assert app.main.table.marked == {ids[2], ids[1]}
        await pilot.press("c", "y")
        await wait_until(pilot, lambda: Job.get_by_id(ids[1]).status == "cancelled")
        assert [Job.get_by_id(i).status for i in ids] == ["queued", "cancelled", "cancelled"]


async def test_rerun_of_marked_jobs_requeues_only_the_failed_ones(make_app, sample: dict[str, str]) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        for name in ("error", "complete", "cancelled"):
            app.main.table.marked.add(sample[name])
        await pilot.press("r", "y")
        await wait_until(pilot, lambda: Job.select().where(Job.status == "queued").count() == 3)
        clones = Job.select().where(Job.status == "queued", Job.id != sample["queued"])
        assert sorted(j.label for j in clones) == ["bad mesh", "too slow"]
        original = jobs.stored_config(Job.get_by_id(sample["error"]))
        assert all(jobs.stored_config(j) == original for j in clones if j.label == "bad mesh")


async def test_label_dialog_refuses_escape_sequences_and_sets_a_label(make_app, sample: dict[str, str]) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        select(app, sample["complete"])
        await pilot.press("L")
        dialog = app.screen
        dialog.query_one(Input).value = "\x1b[31mred"
        await pilot.press("enter")
        assert "control characters" in str(dialog.query_one("#error").render())
        dialog.query_one(Input).value = "reference"
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.main.table.views[sample["complete"]].label == "reference")
        assert Job.get_by_id(sample["complete"]).label == "reference"


async def test_export_writes_frd_files_for_a_horn_job(make_app, sample: dict[str, str], tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        select(app, sample["horn"])
        await pilot.press("x")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        dialog.query_one("#directory", Input).value = str(tmp_path / "out")
        dialog.query_one("#directory", Input).focus()
        await pilot.press("enter")
        assert isinstance(app.screen, MainScreen)
        await wait_until(pilot, lambda: any((tmp_path / "out").rglob("*.frd")))
    frd = sorted((tmp_path / "out").rglob("*.frd"))
    assert frd and any("rosse 40" in p.name for p in frd)
    first = frd[0].read_text().splitlines()
    assert first[0].startswith("*") and len(first[-1].split()) == 3


async def test_export_offers_the_report_a_png_picture_of_the_jobs_charts(
    make_app, sample: dict[str, str], tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        select(app, sample["horn"])
        await pilot.press("x")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        dialog.query_one("#report", RadioButton).value = True
        dialog.query_one("#directory", Input).value = str(tmp_path / "out")
        dialog.query_one("#directory", Input).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: any((tmp_path / "out").glob("*.png")), timeout=60)
    (png,) = (tmp_path / "out").glob("*.png")
    assert "rosse 40" in png.name and png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


async def test_the_concurrency_cap_changes_with_plus_and_minus(make_app, sample: dict[str, str]) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("plus", "plus", "minus")
        await wait_until(pilot, lambda: not any(w.group == "settings" for w in app.workers))
        assert settings.get("max_concurrent_jobs") == 2
        await pilot.press("minus", "minus")
        await wait_until(pilot, lambda: not any(w.group == "settings" for w in app.workers))
        assert settings.get("max_concurrent_jobs") == 1


async def test_status_filter_and_search_narrow_the_table(make_app, sample: dict[str, str]) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        app.main.set_query(statuses=["complete", "error"])
        await wait_until(pilot, lambda: len(app.main.table.views) == 3)
        assert set(app.main.table.views) == {sample["complete"], sample["error"], sample["horn"]}
        await pilot.press("slash")
        await pilot.press(*"rosse")
        await wait_until(pilot, lambda: list(app.main.table.views) == [sample["horn"]])


async def test_the_view_is_remembered_across_restarts(make_app, sample: dict[str, str], home: Home) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        app.main.set_query(statuses=["complete", "error", "cancelled"], sort="label", descending=False)
        await wait_until(pilot, lambda: len(app.main.table.views) == 4)
        select(app, sample["cancelled"])
        app.theme = "hornq-paper"
        await settle(pilot)
        await quit_app(app, pilot)
    state = ViewState.load(home.root)
    assert (state.statuses, state.sort, state.theme, state.selected) == (
        ["complete", "error", "cancelled"],
        "label",
        "hornq-paper",
        sample["cancelled"],
    )
    again = make_app()
    async with again.run_test() as pilot:
        await settle(pilot)
        assert again.theme == "hornq-paper"
        assert again.main.table.selected_id == sample["cancelled"]
        assert set(again.main.table.views) == {sample[n] for n in ("complete", "error", "cancelled", "horn")}


async def test_selection_stays_on_its_job_when_new_jobs_arrive(make_app, sample: dict[str, str], cli: Cli) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        select(app, sample["error"])
        new = [cli.submit_command("true") for _ in range(3)]
        app.main.poller.wake()
        await wait_until(pilot, lambda: all(i in app.main.table.views for i in new))
        assert app.main.table.selected_id == sample["error"]
        assert list(app.main.table.views)[:3] != new or app.main.table.cursor_row == 6


async def test_detail_shows_history_and_the_log_follows_a_running_job(
    make_app, sample: dict[str, str], home: Home
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        select(app, sample["running"])
        await pilot.press("l")
        await settle(pilot, 0.3)
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        log = screen.query_one(Log)
        assert "meshing: 1284 triangles" in "\n".join(log.lines)
        with open(home.job_log(sample["running"]), "a") as out:
            out.write("HORNQ_PROGRESS 0.5 Solving 20/40 at 2.1 kHz\n")
        await wait_until(pilot, lambda: any("20/40" in line for line in log.lines))
        await pilot.press("o")
        overview = plain(screen.query_one("#overview-body", Static).content)
        assert "queued  running  engine" in overview and "Solving 12/40 at 1.3 kHz" in overview


async def test_help_lists_every_binding_of_the_table(make_app, sample: dict[str, str]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "".join(plain(s.content) for s in app.screen.query(Static))
        for binding in MainScreen.BINDINGS:
            assert binding.description in text and binding.tooltip in text


async def test_finished_jobs_raise_a_notification(make_app, cli: Cli, engine_process: EngineProcess) -> None:
    job_id = cli.submit_command(sys.executable, "-c", "import time; time.sleep(1.5)", label="quick one")
    engine_process.start()
    app = make_app(clock=False)
    notes: list[str] = []
    app.notify = lambda message, **kw: notes.append(message)  # type: ignore[method-assign]
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: app.main.table.views.get(job_id) is not None)
        await wait_until(pilot, lambda: "quick one complete" in notes)


async def test_quitting_with_work_in_progress_says_it_keeps_running(make_app, sample: dict[str, str]) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await quit_app(app, pilot)
    assert app.return_value == "2 job(s) keep running; run `hornq` to re-attach."


async def test_a_failing_refresh_keeps_the_data_and_recovers(make_app, sample: dict[str, str]) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        database.execute_sql("ALTER TABLE job RENAME TO job_away")
        app.main.poller.wake()
        bar = app.main.query_one("#status-bar")
        await wait_until(pilot, lambda: "refresh failed" in str(bar.render()))
        assert len(app.main.table.views) == 6
        database.execute_sql("ALTER TABLE job_away RENAME TO job")
        await wait_until(pilot, lambda: "refresh failed" not in str(bar.render()), timeout=15)


async def test_the_app_stays_responsive_with_100k_jobs(make_app, home: Home) -> None:
    now = "2026-03-01T11:00:00+00:00"
    rows = [
        (
            f"{n:08x}-0000-4000-8000-{n:012x}",
            "command",
            "complete",
            now,
            now,
            now,
            n,
            1.0,
            json.dumps({"kind": "command"}),
            json.dumps({"command": f"case {n}"}),
            n,
        )
        for n in range(100_000)
    ]
    with database.atomic():
        database.execute_sql("UPDATE counter SET value = 100000 WHERE name IN ('change', 'queue')")
        for start in range(0, len(rows), 5000):
            database.connection().executemany(
                "INSERT INTO job (id, kind, status, created_at, updated_at, queued_at, queue_seq, progress, "
                "config_json, config_summary_json, change_seq) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                rows[start : start + 5000],
            )
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        assert len(app.main.table.views) == 500 and app.main.polled.total == 100_000
        await pilot.press("down", "down", "space")
        assert len(app.main.table.marked) == 1
        app.main.set_query(search="case 99999")
        await wait_until(pilot, lambda: len(app.main.table.views) == 1)


async def test_rerun_after_editing_in_the_editor_queues_the_edited_config(
    make_app, sample: dict[str, str], tmp_path: Path, monkeypatch
) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nsed -i \'s/"case2"/"case3"/\' "$1"\n')
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    app = make_app()
    async with app.run_test() as pilot:
        select(app, sample["error"])
        await pilot.press("E")
        await wait_until(pilot, lambda: Job.select().where(Job.status == "queued").count() == 2)
    clone = Job.select().where(Job.status == "queued", Job.id != sample["queued"]).get()
    assert jobs.stored_config(clone)["command"]["argv"] == ["./solve.sh", "case3"]
    assert clone.label == "bad mesh"


async def test_the_filter_dialog_and_sort_keys_change_the_view(make_app, sample: dict[str, str]) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("f")
        await pilot.press("space", "down", "space", "enter")  # queued and running
        await wait_until(pilot, lambda: set(app.main.table.views) == {sample["queued"], sample["running"]})
        assert app.state.statuses == ["queued", "running"]
        await pilot.press("s")
        assert app.state.sort == "status"


async def test_the_theme_can_be_switched_from_the_palette_and_persists(
    make_app, sample: dict[str, str], home: Home
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("T")
        await settle(pilot, 0.3)
        await pilot.press(*"hornq-paper")
        await settle(pilot, 0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.theme == "hornq-paper")
        await quit_app(app, pilot)
    assert ViewState.load(home.root).theme == "hornq-paper"
