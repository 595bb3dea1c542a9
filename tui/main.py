"""The main screen: the job table with its search, filter and sort, and every action on jobs.

Actions write requests through the engine's public modules and wake the app's poller; the table
shows the result on the next poll.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from engine.config.job import check_label, parse_config
from engine.config.toml_out import dumps
from engine.errors import HornqError
from engine.solvers import entry
from engine.store import jobs, settings, studies
from engine.store.lifecycle import ACTIVE, Status
from engine.store.models import Job
from engine.text import one_line
from tui import cells
from tui.dialogs import ConfirmDialog, ExportDialog, FilterDialog, InputDialog, config_file_error
from tui.host import AppHost
from tui.jobtable import SORT_KEYS, JobTable
from tui.studies import StudyJobTable


class MainScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "detail", "Detail", id="detail", tooltip="summary, timings, history of the job"),
        Binding("l", "log", "Log", id="log", tooltip="follow the job's log"),
        Binding(
            "g",
            "app.open_results",
            "Charts",
            id="charts",
            tooltip="result charts; with marked jobs, an overlay comparing them",
        ),
        Binding("n", "new_job", "New", id="new", tooltip="queue a job from a config file"),
        Binding("c", "cancel_jobs", "Cancel", id="cancel", tooltip="cancel the selected or marked jobs"),
        Binding("d", "delete_jobs", "Delete", id="delete", tooltip="delete finished selected or marked jobs"),
        Binding(
            "r",
            "rerun",
            "Re-run",
            id="rerun",
            tooltip="queue the job again; with marks, re-run the marked jobs that failed",
        ),
        Binding(
            "E",
            "rerun_edited",
            "Edit+run",
            show=False,
            id="rerun-edit",
            tooltip="edit a copy of the job's config in $EDITOR, then queue it",
        ),
        Binding("L", "label", "Label", show=False, id="label", tooltip="set the label of the selected jobs"),
        Binding("x", "export", "Export", show=False, id="export", tooltip="write FRD, CSV or JSON files"),
        Binding("slash", "search", "Search", id="search", tooltip="search id, label and config"),
        Binding("f", "filter", "Filter", id="filter", tooltip="show only some statuses"),
        Binding("s", "cycle_sort", "Sort", show=False, id="sort", tooltip="sort by the next column"),
        Binding("S", "reverse_sort", "Reverse", show=False, id="sort-reverse", tooltip="reverse the sort order"),
        Binding("escape", "clear_marks", "Unmark", show=False, id="unmark", tooltip="clear marks and search"),
        Binding("plus", "cap(1)", "Cap+", show=False, id="cap-up", tooltip="run one more job at once"),
        Binding("minus", "cap(-1)", "Cap−", show=False, id="cap-down", tooltip="run one job fewer at once"),
        Binding(
            "ctrl+e",
            "start_engine",
            "Engine",
            show=False,
            id="engine-start",
            tooltip="start the background engine if none is running",
        ),
        Binding("b", "toggle_bell", "Bell", show=False, id="bell", tooltip="ring the terminal bell when jobs end"),
        Binding(
            "C",
            "compare",
            "Compare",
            show=False,
            id="compare",
            tooltip="metrics side by side: marked jobs, or the whole study of the selected row",
        ),
    ]

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search id, label, config…  (Enter keeps, Esc clears)", id="search")
        yield StudyJobTable(now=self.hornq.now, study_names=self.hornq.study_names, id="jobs")
        yield Static(id="selection", markup=False)
        yield Static(id="status-bar", markup=False)
        yield Footer()

    @property
    def hornq(self) -> AppHost:
        return cast(AppHost, self.app)

    @property
    def table(self) -> StudyJobTable:
        return self.query_one(StudyJobTable)

    def on_mount(self) -> None:
        state = self.hornq.state
        self.table.set_sort(state.sort, state.descending)
        if state.search:
            search = self.query_one("#search", Input)
            search.value = state.search
            search.add_class("visible")
        self.table.focus()
        self.hornq.load_now()
        if self.hornq.poll:
            self.hornq.poll_loop()

    def palette_commands(self) -> list[tuple[str, str, str]]:
        return [(f"{b.description} ({b.key_display or b.key})", b.tooltip, b.action) for b in self.BINDINGS]

    def targets(self) -> list[str]:
        return self.table.targets()

    # ------------------------------------------------------------- navigation

    def action_detail(self) -> None:
        if self.table.selected_id:
            self.hornq.open_detail(self.table.selected_id, "overview")
        elif self.table.selected_study:
            self.table.action_toggle_study()

    def action_log(self) -> None:
        if self.table.selected_id:
            self.hornq.open_detail(self.table.selected_id, "log")

    def on_data_table_row_selected(self, event: Any) -> None:
        event.stop()
        self.action_detail()

    def on_job_table_selection_changed(self, event: JobTable.SelectionChanged) -> None:
        job = self.table.views.get(event.job_id or "")
        selection = self.query_one("#selection", Static)
        if job is None:
            selection.update(self.table.study_line() if self.table.selected_study else "")
            return
        line = Text.assemble((job.id, "bold"), "  ", cells.status_text(job.status), "  ", cells.summary_line(job))
        detail = job.error_message if job.status == Status.ERROR else job.stage_message
        line.append("\n" + one_line(detail or "", 300))
        selection.update(line)
        self.hornq.state.selected = job.id
        self.hornq.state_dirty = True

    # ------------------------------------------------------------- search, filter, sort

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.add_class("visible")
        search.focus()

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        self.hornq.set_query(search=event.value.strip())

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        search = self.query_one("#search", Input)
        if not search.value:
            search.remove_class("visible")
        self.table.focus()

    def action_clear_marks(self) -> None:
        search = self.query_one("#search", Input)
        if self.table.marked:
            self.table.clear_marks()
        elif search.value or search.has_class("visible"):
            search.value = ""
            search.remove_class("visible")
            self.table.focus()

    def action_filter(self) -> None:
        def chosen(statuses: list[str] | None) -> None:
            if statuses is not None:
                self.hornq.set_query(statuses=statuses)

        self.app.push_screen(FilterDialog([s.value for s in Status], self.hornq.state.statuses), chosen)

    def action_cycle_sort(self) -> None:
        names = list(SORT_KEYS)
        name = names[(names.index(self.hornq.state.sort) + 1) % len(names)]
        self.hornq.set_query(sort=name)
        self.notify(f"sorted by {name}", timeout=2)

    def action_reverse_sort(self) -> None:
        self.hornq.set_query(descending=not self.hornq.state.descending)

    # ------------------------------------------------------------- actions on jobs

    def action_new_job(self) -> None:
        def submitted(path: str | None) -> None:
            if not path:
                return
            try:
                queued = studies.submit_file(Path(path).expanduser())
            except HornqError as exc:
                self.notify(str(exc), severity="error")
                return
            if len(queued) > 1:
                self.notify(f"queued a study of {len(queued)} jobs")
            self.hornq.after_submit(queued[0].id)

        self.app.push_screen(
            InputDialog(
                "New job (or [study]) from a config file",
                placeholder="path/to/horn.toml",
                validate=lambda text: config_file_error(text, studies.check_file),
            ),
            submitted,
        )

    def action_cancel_jobs(self) -> None:
        ids = [i for i in self.targets() if self.table.views[i].status in ACTIVE]
        if not ids:
            self.notify("nothing to cancel: the job has already finished", severity="warning")
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            outcomes = []
            for job_id in ids:
                try:
                    outcomes.append(jobs.request_stop(job_id).outcome)
                except HornqError as exc:
                    self.notify(str(exc), severity="warning")
            if outcomes:
                self.notify(f"cancel requested for {len(outcomes)} job(s)")
            self.hornq.wake_poller()

        self.app.push_screen(
            ConfirmDialog(
                f"Cancel {describe(ids, self.table)}?", "Running jobs get the grace period, then are killed."
            ),
            confirmed,
        )

    def action_delete_jobs(self) -> None:
        targets = self.targets()
        active = [i for i in targets if self.table.views[i].status in ACTIVE]
        ids = [i for i in targets if i not in active]
        if active:
            self.notify(f"{len(active)} job(s) still queued or running: cancel them first", severity="warning")
        if not ids:
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            for job_id in ids:
                try:
                    jobs.delete(job_id, self.hornq.home)
                except HornqError as exc:
                    self.notify(str(exc), severity="error")
            self.table.remove(ids)
            self.hornq.wake_poller()

        self.app.push_screen(
            ConfirmDialog(f"Delete {describe(ids, self.table)}?", "Results, mesh and log go with them."), confirmed
        )

    def action_rerun(self) -> None:
        if self.table.marked or self.table.selected_study:
            ids = [i for i in self.targets() if self.table.views[i].status in (Status.ERROR, Status.CANCELLED)]
            if not ids:
                self.notify("none of the marked jobs failed or was cancelled", severity="warning")
                return
        else:
            ids = self.targets()
        new = []
        for job_id in ids:
            try:
                new.append(jobs.rerun(job_id).id)
            except HornqError as exc:
                self.notify(f"{job_id[:8]}: {exc}", severity="error")
        if new:
            self.notify(f"queued {len(new)} job(s) again")
            self.hornq.after_submit(new[-1])

    def action_rerun_edited(self) -> None:
        job_id = self.table.selected_id
        if job_id is None:
            return
        job = Job.get_by_id(job_id)
        config = jobs.stored_config(job)
        edited = self.hornq.edit_text(dumps(config), suffix=".toml")
        if edited is None:
            return
        try:
            spec = parse_config(tomllib.loads(edited), Path("/"), label=job.label)
            new = jobs.submit(spec)
        except tomllib.TOMLDecodeError as exc:
            self.notify(f"not queued: invalid TOML: {exc}", severity="error")
            return
        except HornqError as exc:
            self.notify(f"not queued: {exc}", severity="error")
            return
        self.hornq.after_submit(new.id)

    def action_label(self) -> None:
        ids = self.targets()
        if not ids:
            return
        current = self.table.views[ids[0]].label or ""

        def check(text: str) -> str | None:
            try:
                check_label(text)
            except HornqError as exc:
                return str(exc)
            return None

        def labelled(text: str | None) -> None:
            if text is None:
                return
            for job_id in ids:
                jobs.set_label(job_id, text)
            self.hornq.wake_poller()

        self.app.push_screen(InputDialog(f"Label for {describe(ids, self.table)}", current, validate=check), labelled)

    def action_export(self) -> None:
        views = self.table.views
        ids = [i for i in self.targets() if views[i].has_results and entry(views[i].kind, "export_results") is not None]
        if not ids:
            self.notify("export needs a complete job with results to export (a horn job)", severity="warning")
            return
        self.app.push_screen(
            ExportDialog(
                str(Path.cwd() / "hornq-export"), lambda fmt, directory: self.hornq.export(ids, fmt, directory)
            )
        )

    def action_cap(self, step: int) -> None:
        cap = settings.get("max_concurrent_jobs") + step
        try:
            settings.set_value("max_concurrent_jobs", str(cap))
        except HornqError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.notify(f"up to {cap} job(s) run at once")
        self.hornq.wake_poller()

    def action_start_engine(self) -> None:
        self.hornq.ensure_engine(announce=True)

    def action_compare(self) -> None:
        from tui.compare import ComparisonScreen, comparison

        try:
            chosen = comparison(self.table)
        except HornqError as exc:
            self.notify(str(exc), severity="warning")
            return
        if chosen is None:
            self.notify("select a job or a study to compare (or mark several jobs)", severity="warning")
            return
        self.app.push_screen(ComparisonScreen(chosen))

    def action_toggle_bell(self) -> None:
        self.hornq.state.bell = not self.hornq.state.bell
        self.hornq.state_dirty = True
        self.notify("bell on when jobs end" if self.hornq.state.bell else "bell off")


def describe(ids: list[str], table: JobTable) -> str:
    if len(ids) == 1:
        job = table.views[ids[0]]
        return f"job {ids[0][:8]}" + (f" ({job.label})" if job.label else "")
    return f"{len(ids)} jobs"
