"""The main screen: the job table with its search, filter and sort, the strip under it and the status bar; in
place of a table without rows, what to do (queue a first job, or change the filter).

The screen never reads or writes the database itself: its poller runs in a thread worker and posts messages that
update the table; the strip and the status bar are drawn again from the table whenever it changes, so they
describe the rows as they are now. The actions on jobs come from ``tui.actions``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from engine.store.lifecycle import Status
from engine.store.watch import JobView
from engine.text import one_line
from tui import cells
from tui.actions import JobActions
from tui.dialogs import FilterDialog
from tui.jobtable import SORT_KEYS, JobTable
from tui.keys import key_names
from tui.messages import JobsChanged, JobsLoaded, PollFailed
from tui.poller import Poller, PollState, query_of
from tui.studies import StudyJobTable


class MainScreen(JobActions):
    #: Back from a dialog with nothing focused, the table takes the keys (never the hidden search box).
    AUTO_FOCUS = "#jobs"
    BINDINGS = [
        Binding("l", "log", "Log", id="main.log", tooltip="follow the job's log"),
        Binding(
            "g",
            "app.open_results",
            "Charts",
            id="main.charts",
            tooltip="result charts; with marked jobs, an overlay comparing them",
        ),
        Binding("n", "new_job", "New", id="main.new", tooltip="queue a job from a config file"),
        Binding("c", "cancel_jobs", "Cancel", id="main.cancel", tooltip="cancel the selected or marked jobs"),
        Binding("d", "delete_jobs", "Delete", id="main.delete", tooltip="delete finished selected or marked jobs"),
        Binding(
            "r",
            "rerun",
            "Re-run",
            id="main.rerun",
            tooltip="queue the job again; with marks, re-run the marked jobs that failed",
        ),
        Binding(
            "E",
            "rerun_edited",
            "Edit+run",
            show=False,
            id="main.rerun-edit",
            tooltip="edit a copy of the job's config in $EDITOR, then queue it",
        ),
        Binding("L", "label", "Label", show=False, id="main.label", tooltip="set the label of the selected jobs"),
        Binding(
            "x",
            "export",
            "Export",
            show=False,
            id="main.export",
            tooltip="write FRD, CSV or JSON files, or a report (PNG)",
        ),
        Binding("slash", "search", "Search", id="main.search", tooltip="search id, label and config"),
        Binding("f", "filter", "Filter", id="main.filter", tooltip="show only some statuses"),
        Binding("s", "cycle_sort", "Sort", show=False, id="main.sort", tooltip="sort by the next column"),
        Binding("S", "reverse_sort", "Reverse", show=False, id="main.sort-reverse", tooltip="reverse the sort order"),
        Binding("escape", "clear_marks", "Unmark", show=False, id="main.unmark", tooltip="clear marks and search"),
        Binding("plus", "cap(1)", "Cap+", show=False, id="main.cap-up", tooltip="run one more job at once"),
        Binding("minus", "cap(-1)", "Cap−", show=False, id="main.cap-down", tooltip="run one job fewer at once"),
        Binding(
            "ctrl+e",
            "start_engine",
            "Engine",
            show=False,
            id="main.engine-start",
            tooltip="start the background engine if none is running",
        ),
        Binding("b", "toggle_bell", "Bell", show=False, id="main.bell", tooltip="ring the terminal bell when jobs end"),
        Binding(
            "C",
            "compare",
            "Compare",
            show=False,
            id="main.compare",
            tooltip="metrics side by side: marked jobs, or the whole study of the selected row",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.polled = PollState()
        self.first_load = asyncio.Event()  # set once the first window (or its failure) is on screen
        self.pending_select: str | None = None
        self.shown_hint: Text | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search id, label, config…  (Enter keeps, Esc clears)", id="search")
        yield StudyJobTable(now=self.hornq.now, id="jobs")
        yield Static(id="empty")
        yield Static(id="selection", markup=False)
        yield Static(id="status-bar", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        state = self.hornq.state
        self.poller = Poller(self.hornq.home, query_of(state))
        self.table.set_sort(state.sort, state.descending)
        if state.search:
            search = self.query_one("#search", Input)
            search.value = state.search
            search.add_class("visible")
        self.table.focus()
        self.watch_jobs()
        self.set_interval(1.0, self.tick)

    def on_unmount(self) -> None:
        self.poller.stop()

    def chart_targets(self) -> list[str]:
        return self.targets()

    # ------------------------------------------------------------- the poller and what the screen shows of it

    @work(thread=True, group="poll", exclusive=True, name="poll")
    def watch_jobs(self) -> None:
        """Read the first window (the first paint waits for it), then poll until the screen goes."""
        worker = get_current_worker()
        self.post_message(self.poller.poll_once())
        if self.hornq.poll:
            self.poller.run(lambda: worker.is_cancelled, self.post_message)

    def set_query(self, **changes: Any) -> None:
        state = self.hornq.state
        for name, value in changes.items():
            setattr(state, name, value)
        self.hornq.state_dirty = True
        if "sort" in changes or "descending" in changes:
            self.table.set_sort(state.sort, state.descending)
        self.poller.set_query(query_of(state))

    def on_jobs_loaded(self, message: JobsLoaded) -> None:
        if message.query == self.poller.query:
            self.table.name_studies(message.study_names)
            self.table.replace_all(message.snapshot.jobs, keep=self.hornq.state.selected)
            self.polled.loaded(message.snapshot)
            self.show_status()
        self.first_load.set()

    def on_jobs_changed(self, message: JobsChanged) -> None:
        delta = message.delta
        table = self.table
        statuses, search, _, _ = self.poller.query
        shown = [job for job in delta.changed if job.matches(statuses, search)]
        hidden = [job.id for job in delta.changed if not job.matches(statuses, search)]
        self._announce(self.polled.finished(delta.changed))
        table.name_studies(message.study_names)
        if shown:
            table.upsert(shown, keep=self.pending_select if self.pending_select in {j.id for j in shown} else None)
            if self.pending_select in table.views:
                self.pending_select = None
        removed = table.remove([*hidden, *delta.deleted])
        self.polled.recount(len(table.views), removed, message.total)
        self.polled.polled(delta.engine)
        self.show_status()

    def on_poll_failed(self, message: PollFailed) -> None:
        self.polled.error = (message.error, message.attempt)
        self.show_status()
        self.first_load.set()

    def _announce(self, ended: list[JobView]) -> None:
        for job in ended:
            name = job.label or job.id[:8]
            if job.status == Status.COMPLETE:
                self.notify(f"{name} complete", title="job finished", markup=False)
            elif job.status == Status.ERROR:
                reason = one_line(job.error_message or "", 120)
                self.notify(f"{name} failed: {reason}", title="job failed", severity="error", timeout=10, markup=False)
            else:
                self.notify(f"{name} cancelled", title="job cancelled", severity="warning", markup=False)
            if self.hornq.state.bell:
                self.app.bell()

    def tick(self) -> None:
        if self.is_current:
            self.table.tick()
        self.show_status()

    def show_status(self) -> None:
        bar = self.query_one("#status-bar", Static)
        table = self.table
        engine_key = self.key_names().get("main.engine-start", "ctrl+e")
        bar.update(self.polled.status_line(len(table.views), len(table.marked), self.hornq.state.statuses, engine_key))
        bar.set_class(self.polled.error is not None, "failing")
        self.show_empty()

    def key_names(self) -> dict[str, str]:
        """Binding id → its keys as typed on this screen (keymap applied), for the hints it shows."""
        return key_names(self.hornq.keys, type(self), StudyJobTable, type(self.app))

    def show_empty(self) -> None:
        """In place of a table without rows, say what to do: how to queue a first job, or why nothing matches.
        The table takes the focus back when rows come."""
        empty = not self.table.row_count and self.polled.loaded_at is not None
        state = self.hornq.state
        hint = empty_hint(self.key_names(), state.statuses, state.search) if empty else None
        if hint == self.shown_hint:
            return
        self.shown_hint = hint
        self.query_one("#empty", Static).update(hint or "")
        self.set_class(empty, "empty")
        if not empty and self.focused is None:
            self.table.focus()

    def show_selection(self) -> None:
        """The strip under the table: the row under the cursor as it is now."""
        table = self.table
        job = table.views.get(table.selected_id or "")
        strip = self.query_one("#selection", Static)
        if job is None:
            strip.update(table.study_line(self.key_names()) if table.selected_study else "")
            return
        line = Text.assemble((job.id, "bold"), "  ", cells.status_text(job.status), "  ", cells.summary_line(job))
        detail = job.error_message if job.status == Status.ERROR else job.stage_message
        line.append("\n" + one_line(detail or "", 300))
        strip.update(line)
        if self.hornq.state.selected != job.id:
            self.hornq.state.selected = job.id
            self.hornq.state_dirty = True

    def on_job_table_selection_changed(self, event: JobTable.SelectionChanged) -> None:
        self.show_selection()

    def on_job_table_counts_changed(self, event: JobTable.CountsChanged) -> None:
        self.show_status()

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

    # ------------------------------------------------------------- search, filter, sort

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.add_class("visible")
        search.focus()

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        self.set_query(search=event.value.strip())

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
                self.set_query(statuses=statuses)

        self.app.push_screen(FilterDialog([s.value for s in Status], self.hornq.state.statuses), chosen)

    def action_cycle_sort(self) -> None:
        names = list(SORT_KEYS)
        self.set_query(sort=names[(names.index(self.hornq.state.sort) + 1) % len(names)])

    def action_reverse_sort(self) -> None:
        self.set_query(descending=not self.hornq.state.descending)

    # ------------------------------------------------------------- actions on jobs

    def action_toggle_bell(self) -> None:
        self.hornq.state.bell = not self.hornq.state.bell
        self.hornq.state_dirty = True
        self.notify("bell on when jobs end" if self.hornq.state.bell else "bell off")


def empty_hint(keys: dict[str, str], statuses: list[str], search: str) -> Text:
    """What to do when the table has no rows, naming the keys as they work now."""
    hint = Text()
    if statuses or search:
        hint.append("No job matches", style="bold")
        hint.append(f" the filter ({', '.join(statuses)})" if statuses else "")
        hint.append(" and" if statuses and search else "")
        hint.append(f" the search “{search}”" if search else "")
        hint.append(f".\n\n{keys.get('main.filter', '')}  changes the filter · ")
        hint.append(f"{keys.get('main.unmark', '')}  clears the search")
        return hint
    hint.append("No jobs yet.", style="bold")
    hint.append("\n\nWrite a job config, starting from an example:\n    ")
    hint.append("hornq config example horn > horn.toml", style="bold")
    hint.append(f"\nthen press {keys.get('main.new', '')} and give its path to queue it.")
    hint.append(f"\n\n{keys.get('app.help', '')}  lists every key · {keys.get('app.palette', '')}  searches them")
    return hint
