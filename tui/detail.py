"""One job in full: summary, timings, transition history, the whole error, and its log followed live."""

from __future__ import annotations

import json
from datetime import datetime
from typing import cast

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Log, Static, TabbedContent, TabPane

from engine.paths import Home
from engine.solvers import entry
from engine.store import jobs
from engine.store.models import Job
from engine.store.watch import JobView
from engine.text import printable
from tui import cells
from tui.host import AppHost

LOG_CHUNK = 256 * 1024


class DetailScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="detail.back", tooltip="back to the job table"),
        Binding("o", "show_tab('overview')", "Overview", id="detail.overview"),
        Binding("l", "show_tab('log')", "Log", id="detail.log"),
        Binding("F", "toggle_follow", "Follow", id="detail.follow", tooltip="keep the log scrolled to its end"),
        Binding("g", "app.open_results", "Charts", id="detail.results", tooltip="result charts of this job"),
    ]

    def __init__(self, home: Home, job_id: str, *, tab: str = "overview") -> None:
        super().__init__()
        self.home = home
        self.job_id = job_id
        self.initial_tab = tab
        self.log_position = 0
        self.follow = True
        self.seen_seq = -1

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title", markup=False)
        with TabbedContent(initial=self.initial_tab):
            with TabPane("Overview", id="overview"), VerticalScroll():
                yield Static(id="overview-body")
            with TabPane("Log", id="log"):
                yield Log(id="log-view", highlight=False)
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_job()
        self.set_interval(0.5, self.refresh_job)

    def refresh_job(self) -> None:
        row = Job.get_or_none(Job.id == self.job_id)
        if row is None:
            self.query_one("#detail-title", Static).update(f"job {self.job_id[:8]} was deleted")
            return
        if row.change_seq != self.seen_seq:
            self.seen_seq = row.change_seq
            self.render_overview(JobView.from_row(row), row)
        self.read_log()

    def render_overview(self, job: JobView, row: Job) -> None:
        now = cast(AppHost, self.app).now()
        title = Text.assemble((job.id, "bold"), "  ", cells.status_text(job.status), "  ", cells.progress_bar(job))
        if job.label:
            title.append(f"  {job.label}")
        self.query_one("#detail-title", Static).update(title)
        self.query_one("#overview-body", Static).update(overview(job, row, now))

    def read_log(self) -> None:
        path = self.home.job_log(self.job_id)
        try:
            with open(path, "rb") as log:
                log.seek(self.log_position)
                chunk = log.read(LOG_CHUNK)
        except OSError:
            return
        if chunk:
            self.log_position += len(chunk)
            view = self.query_one("#log-view", Log)
            view.auto_scroll = self.follow
            view.write(printable(chunk.decode("utf-8", "replace"), limit=LOG_CHUNK))

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow
        view = self.query_one("#log-view", Log)
        view.auto_scroll = self.follow
        if self.follow:
            view.scroll_end(animate=False)
        self.notify("following the log" if self.follow else "log follow paused")


def overview(job: JobView, row: Job, now: datetime) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    grid.add_row("kind", f"{job.kind} ({job.executor})")
    for name, value in json.loads(row.config_summary_json).items():
        grid.add_row(f"  {name}", Text(str(value)))
    grid.add_row("created", cells.short_time(job.created_at, now))
    if job.started_at:
        grid.add_row("started", cells.short_time(job.started_at, now))
        grid.add_row("elapsed", cells.duration(cells.elapsed_s(job, now)))
    if job.completed_at:
        grid.add_row("finished", cells.short_time(job.completed_at, now))
    eta = cells.eta_s(job, now)
    if eta is not None:
        grid.add_row("eta", cells.duration(eta))
    if job.stage:
        grid.add_row("stage", Text(f"{job.stage}: {job.stage_message or ''}"))
    if job.error_message:
        grid.add_row("error", Text(printable(job.error_message), style="red"))
    if row.exit_code is not None:
        grid.add_row("exit code", str(row.exit_code))
    grid.add_row("results", "yes" if job.has_results else "no")
    describe = entry(job.kind, "solved_with") if job.has_results else None
    how = describe(jobs.results(job.id)) if describe else None
    if how:
        grid.add_row("solved with", Text(how))
    history = Table("time", "from", "to", "source", "message", box=None, padding=(0, 1), header_style="bold")
    for event in jobs.transitions(job.id):
        history.add_row(
            cells.short_time(event["at"], now),
            event["from"] or "–",
            cells.status_text(event["to"]),
            event["source"],
            Text(printable(event["message"] or "", 300)),
        )
    grid.add_row("", "")
    grid.add_row("history", history)
    return grid
