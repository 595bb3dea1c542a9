"""One job in full: summary, timings, transition history, the whole error, and its log followed live.

Every half second a thread worker reads the job (its history and results only when it changed) and the new end
of its log, and posts what it found; the screen draws from those messages and never touches the database or
the log file itself. While the job runs, the screen also draws its last overview again at each of those beats,
so the elapsed time and the ETA count on the clock even when nothing in the job changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import cast

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Log, Static, TabbedContent, TabPane
from textual.worker import Worker

from engine.paths import Home
from engine.solvers import entry
from engine.store import jobs
from engine.store.lifecycle import Status
from engine.store.models import Job
from engine.store.watch import JobView
from engine.text import printable
from tui import cells
from tui.host import AppHost
from tui.messages import JobDetail, JobRead, LogRead, explain

LOG_CHUNK = 256 * 1024
REFRESH_S = 0.5


class JobReader:
    """What the detail screen's worker reads, and how far it has read: one read runs at a time, so only the
    worker thread touches ``seen_seq`` and ``log_position``."""

    def __init__(self, home: Home, job_id: str) -> None:
        self.home = home
        self.job_id = job_id
        self.seen_seq = -1
        self.log_position = 0

    def read(self) -> Iterator[JobRead | LogRead]:
        try:
            row = Job.get_or_none(Job.id == self.job_id)
            if row is None:
                yield JobRead(self.job_id, None)
                return
            if row.change_seq != self.seen_seq:
                yield JobRead(self.job_id, self.detail(row))
                self.seen_seq = row.change_seq
        except Exception as exc:  # shown in the title; the next read tries again
            yield JobRead(self.job_id, None, explain(exc))
            return
        chunk = self.read_log()
        if chunk:
            yield LogRead(printable(chunk.decode("utf-8", "replace"), limit=LOG_CHUNK))

    def detail(self, row: Job) -> JobDetail:
        job = JobView.from_row(row)
        describe = entry(job.kind, "solved_with") if job.has_results else None
        solved_with = describe(jobs.results(job.id)) if describe else None
        return JobDetail(job, row.exit_code, jobs.transitions(job.id), solved_with)

    def read_log(self) -> bytes:
        try:
            with open(self.home.job_log(self.job_id), "rb") as log:
                log.seek(self.log_position)
                chunk = log.read(LOG_CHUNK)
        except OSError:  # no log yet (a queued job), or it went with the job
            return b""
        self.log_position += len(chunk)
        return chunk


class DetailScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="detail.back", tooltip="back to the job table"),
        Binding("o", "show_tab('overview')", "Overview", id="detail.overview", tooltip="summary, timings, history"),
        Binding("l", "show_tab('log')", "Log", id="detail.log", tooltip="the job's log, followed live"),
        Binding("F", "toggle_follow", "Follow", id="detail.follow", tooltip="keep the log scrolled to its end"),
        Binding("g", "app.open_results", "Charts", id="detail.charts", tooltip="result charts of this job"),
    ]

    def __init__(self, home: Home, job_id: str, *, tab: str = "overview") -> None:
        super().__init__()
        self.job_id = job_id
        self.initial_tab = tab
        self.follow = True
        self.reader = JobReader(home, job_id)
        self.reading: Worker[None] | None = None
        self.shown: JobDetail | None = None

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
        self.set_interval(REFRESH_S, self.refresh_job)

    def chart_targets(self) -> list[str]:
        return [self.job_id]

    def refresh_job(self) -> None:
        """Advance the running job's clocks, and start a read unless one is still running (a slow disk never
        piles reads up)."""
        if self.shown is not None and self.shown.job.status == Status.RUNNING:
            self.query_one("#overview-body", Static).update(overview(self.shown, cast(AppHost, self.app).now()))
        if self.reading is None or self.reading.is_finished:
            self.reading = self.read_job()

    @work(thread=True, group="detail")
    def read_job(self) -> None:
        for message in self.reader.read():
            self.post_message(message)

    def on_job_read(self, message: JobRead) -> None:
        title = self.query_one("#detail-title", Static)
        if message.error:
            title.update(f"job {self.job_id[:8]}: could not read it: {message.error}")
        elif message.detail is None:
            self.shown = None
            title.update(f"job {self.job_id[:8]} was deleted")
        else:
            self.render_overview(message.detail)

    def render_overview(self, detail: JobDetail) -> None:
        self.shown = detail
        job = detail.job
        now = cast(AppHost, self.app).now()
        title = Text.assemble((job.id, "bold"), "  ", cells.status_text(job.status), "  ", cells.progress_bar(job))
        if job.label:
            title.append(f"  {job.label}")
        self.query_one("#detail-title", Static).update(title)
        self.query_one("#overview-body", Static).update(overview(detail, now))

    def on_log_read(self, message: LogRead) -> None:
        view = self.query_one("#log-view", Log)
        view.auto_scroll = self.follow
        view.write(message.text)

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow
        view = self.query_one("#log-view", Log)
        view.auto_scroll = self.follow
        if self.follow:
            view.scroll_end(animate=False)
        self.notify("following the log" if self.follow else "log follow paused")


def overview(detail: JobDetail, now: datetime) -> Table:
    job = detail.job
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    grid.add_row("kind", Text(f"{job.kind} ({job.executor})"))
    if summary := cells.summary_line(job):
        grid.add_row("config", Text(summary))
    grid.add_row("created", cells.short_time(job.created_at, now))
    if job.started_at:
        grid.add_row("started", cells.short_time(job.started_at, now))
        grid.add_row("elapsed", cells.duration(cells.elapsed_s(job, now)))
    if job.completed_at:
        grid.add_row("finished", cells.short_time(job.completed_at, now))
    eta = cells.eta_s(job, now)
    if eta is not None:
        grid.add_row("eta", cells.duration(eta))
    if job.stage and job.status == Status.RUNNING:
        grid.add_row("stage", Text(f"{job.stage}: {job.stage_message or ''}"))
    if job.error_message:
        grid.add_row("error", Text(printable(job.error_message), style="red"))
    if detail.exit_code is not None:
        grid.add_row("exit code", str(detail.exit_code))
    grid.add_row("results", "yes" if job.has_results else "no")
    if detail.solved_with:
        grid.add_row("solved with", Text(detail.solved_with))
    history = Table("time", "from", "to", "source", "message", box=None, padding=(0, 1), header_style="bold")
    for event in detail.history:
        history.add_row(
            cells.short_time(event["at"], now),
            Text(event["from"] or "–"),
            cells.status_text(event["to"]),
            Text(event["source"]),
            Text(printable(event["message"] or "", 300)),
        )
    grid.add_row("", "")
    grid.add_row("history", history)
    return grid
