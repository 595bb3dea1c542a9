"""The hornq terminal app: a client of the database, never of the solver.

A single polling thread reads the window of jobs once, then only what changed (``engine.store.watch``),
and posts messages; widgets update in place from them. Actions write requests through the engine's
public modules (submit, stop, delete, label, settings) and wake the poller.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App, SuspendNotSupported
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from engine.errors import HornqError
from engine.paths import Home
from engine.run import daemon
from engine.solvers import entry
from engine.store import jobs, studies, watch
from engine.store.db import open_database
from engine.store.lifecycle import ACTIVE, TERMINAL, Status
from engine.store.models import Job
from engine.text import one_line
from tui import cells
from tui.commands import ActionCommands
from tui.jobtable import JobTable
from tui.main import MainScreen
from tui.state import ViewState
from tui.studies import StudyJobTable

ACTIVE_POLL_S = 1.0
IDLE_POLL_S = 10.0
BACKOFF_S = (1.0, 2.0, 5.0, 10.0)
KEYMAP_FILE = "keymap.toml"
Query = tuple[frozenset[str], str, str, bool]


class JobsLoaded(Message):
    def __init__(self, snapshot: watch.Snapshot, query: Query) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.query = query


class JobsChanged(Message):
    def __init__(self, delta: watch.Delta) -> None:
        super().__init__()
        self.delta = delta


class PollFailed(Message):
    def __init__(self, error: str, attempt: int) -> None:
        super().__init__()
        self.error = error
        self.attempt = attempt


class HornqApp(App[str | None]):
    TITLE = "hornq"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ActionCommands}
    BINDINGS = [
        Binding("q", "quit_app", "Quit", id="quit", tooltip="leave hornq; running jobs go on"),
        Binding("question_mark", "help", "Help", id="help", tooltip="list every key"),
        Binding("T", "change_theme", "Theme", show=False, id="theme", tooltip="pick a colour theme"),
    ]

    def __init__(
        self, home: Home, *, start_engine: bool = True, now: Callable[[], datetime] | None = None, poll: bool = True
    ) -> None:
        super().__init__()
        self.home = home
        self.start_engine = start_engine
        self.now = now or (lambda: datetime.now(UTC))
        self.poll = poll
        self.state = ViewState.load(home.root)
        self.state_dirty = False
        self.engine_view: watch.EngineView | None = None
        self.loaded_at: float | None = None
        self.poll_error: tuple[str, int] | None = None
        self.total = 0
        self.seen_active: set[str] = set()
        self.seq: int | None = None
        self.pending_select: str | None = None
        self._wake = threading.Event()
        self._reload = threading.Event()
        self._reload.set()

    # ------------------------------------------------------------- start and stop

    def on_mount(self) -> None:
        open_database(self.home)
        self._register_themes()
        self._apply_keymap()
        if self.start_engine:
            self.ensure_engine(announce=False)
        self.push_screen(MainScreen())
        self.set_interval(1.0, self._tick)

    def _register_themes(self) -> None:
        import themes

        for theme in themes.builtin_themes():
            self.register_theme(theme)
        user, errors = themes.load_user_themes(self.home.root / "themes")
        for theme in user:
            self.register_theme(theme)
        for error in errors:
            self.notify(error, severity="warning", timeout=10)
        if self.state.theme in self.available_themes:
            self.theme = self.state.theme

    def _apply_keymap(self) -> None:
        path = self.home.root / KEYMAP_FILE
        if not path.exists():
            return
        try:
            keys = tomllib.loads(path.read_text(encoding="utf-8")).get("keys", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            self.notify(f"{path}: {exc}", severity="warning")
            return
        self.set_keymap({str(k): str(v) for k, v in keys.items()})

    def watch_theme(self, theme: str) -> None:
        if theme != self.state.theme:
            self.state.theme = theme
            self.state_dirty = True

    def ensure_engine(self, *, announce: bool) -> None:
        try:
            pid = daemon.ensure_running(self.home)
        except (HornqError, OSError) as exc:
            self.notify(f"could not start the engine: {exc}", severity="error")
            return
        if pid is not None:
            self.notify(f"started the background engine (pid {pid})")
        elif announce:
            self.notify("the engine is already running")
        self.wake_poller()

    def action_quit_app(self) -> None:
        self.save_state()
        view = self.engine_view
        running = view.running + view.queued if view else 0
        message = None
        if running:
            where = f" in the background engine (pid {view.pid})" if view and view.pid else ""
            message = f"{running} job(s) keep running{where}; run `hornq` to re-attach."
        self.exit(message)

    def save_state(self) -> None:
        try:
            self.state.save(self.home.root)
        except OSError as exc:
            self.log.warning(f"could not save the view: {exc}")
        self.state_dirty = False

    def action_help(self) -> None:
        from tui.detail import DetailScreen
        from tui.help import HelpScreen

        sections = [
            ("Everywhere", self.BINDINGS),
            ("Job table", MainScreen.BINDINGS + JobTable.BINDINGS + StudyJobTable.BINDINGS),
            ("Job detail", DetailScreen.BINDINGS),
            ("Command palette", [Binding("ctrl+p", "command_palette", "Search every command")]),
        ]
        self.push_screen(HelpScreen(sections))

    # ------------------------------------------------------------- polling

    @property
    def query_params(self) -> Query:
        s = self.state
        return frozenset(s.statuses), s.search, s.sort, s.descending

    def set_query(self, **changes: Any) -> None:
        for name, value in changes.items():
            setattr(self.state, name, value)
        self.state_dirty = True
        if "sort" in changes or "descending" in changes:
            self.main.table.set_sort(self.state.sort, self.state.descending)
        self._reload.set()
        self._wake.set()

    def wake_poller(self) -> None:
        self._wake.set()

    def load_now(self) -> None:
        """Load the first window synchronously, so the first paint already shows the jobs."""
        query = self.query_params
        try:
            snapshot = watch.snapshot(*query)
        except Exception as exc:  # the poller retries with backoff and shows the error
            self.poll_error = (one_line(f"{type(exc).__name__}: {exc}", 200), 1)
            return
        self._reload.clear()
        self.seq = snapshot.seq
        self.on_jobs_loaded(JobsLoaded(snapshot, query))

    @work(thread=True, exclusive=True, group="poll", name="poll")
    def poll_loop(self) -> None:
        worker = get_current_worker()
        seq = self.seq
        failures = 0
        while not worker.is_cancelled:
            try:
                if seq is None or self._reload.is_set():
                    self._reload.clear()
                    query = self.query_params
                    snapshot = watch.snapshot(*query)
                    seq = snapshot.seq
                    self.post_message(JobsLoaded(snapshot, query))
                else:
                    delta = watch.changes_since(seq)
                    delta.engine = watch.engine_view()
                    seq = delta.seq
                    self.post_message(JobsChanged(delta))
                failures = 0
                view = self.engine_view
                busy = view is None or view.pid is None or view.running or view.queued
                interval = ACTIVE_POLL_S if busy else IDLE_POLL_S
            except Exception as exc:  # keep the last data on screen and retry with backoff
                failures += 1
                self.post_message(PollFailed(one_line(f"{type(exc).__name__}: {exc}", 200), failures))
                interval = BACKOFF_S[min(failures, len(BACKOFF_S)) - 1]
            self._wake.wait(interval)
            self._wake.clear()

    @property
    def main(self) -> MainScreen:
        return next(s for s in self.screen_stack if isinstance(s, MainScreen))

    def live_table(self) -> JobTable | None:
        """The job table, unless the app is still starting or already shutting down."""
        screens = [s for s in self.screen_stack if isinstance(s, MainScreen)]
        tables = screens[0].query(JobTable) if screens else []
        return tables.first() if tables else None

    def on_jobs_loaded(self, message: JobsLoaded) -> None:
        table = self.live_table()
        if message.query != self.query_params or table is None:
            return
        snapshot = message.snapshot
        self._note_active(snapshot.jobs)
        table.replace_all(snapshot.jobs, keep=self.state.selected)
        self.total = snapshot.total
        self._polled(snapshot.engine)

    def on_jobs_changed(self, message: JobsChanged) -> None:
        delta = message.delta
        table = self.live_table()
        if table is None:
            return
        statuses, search, _, _ = self.query_params
        shown = [job for job in delta.changed if job.matches(statuses, search)]
        hidden = [job.id for job in delta.changed if not job.matches(statuses, search)]
        new = sum(job.id not in table.views for job in shown)
        gone = [job_id for job_id in [*hidden, *delta.deleted] if job_id in table.views]
        self._announce_finished(delta.changed)
        if shown:
            table.upsert(shown, keep=self.pending_select if self.pending_select in {j.id for j in shown} else None)
            if self.pending_select in table.views:
                self.pending_select = None
        if gone:
            table.remove(gone)
        self.total = max(len(table.views), self.total + new - len(gone))
        self._polled(delta.engine)

    def on_poll_failed(self, message: PollFailed) -> None:
        self.poll_error = (message.error, message.attempt)
        self._render_status()

    def _polled(self, engine: watch.EngineView | None) -> None:
        if engine is not None:
            self.engine_view = engine
        self.loaded_at = time.monotonic()
        self.poll_error = None
        self._render_status()

    def _note_active(self, views: list[watch.JobView]) -> None:
        self.seen_active.update(job.id for job in views if job.status in ACTIVE)

    def _announce_finished(self, changed: list[watch.JobView]) -> None:
        for job in changed:
            if job.status in ACTIVE:
                self.seen_active.add(job.id)
            elif job.status in TERMINAL and job.id in self.seen_active:
                self.seen_active.discard(job.id)
                name = job.label or job.id[:8]
                if job.status == Status.COMPLETE:
                    self.notify(f"{name} complete", title="job finished")
                elif job.status == Status.ERROR:
                    self.notify(
                        f"{name} failed: {one_line(job.error_message or '', 120)}",
                        title="job failed",
                        severity="error",
                        timeout=10,
                    )
                else:
                    self.notify(f"{name} cancelled", title="job cancelled", severity="warning")
                if self.state.bell:
                    self.bell()

    def _tick(self) -> None:
        table = self.live_table()
        if table is not None and isinstance(self.screen, MainScreen):
            table.tick()
        self._render_status()
        if self.state_dirty:
            self.save_state()

    def _render_status(self) -> None:
        table = self.live_table()
        if table is None:
            return
        bar = self.main.query_one("#status-bar", Static)
        view = self.engine_view
        parts = []
        if view is None:
            parts.append("connecting…")
        elif view.pid is None:
            parts.append(f"no engine running (ctrl+e starts one) · queued {view.queued}")
        else:
            parts.append(f"engine pid {view.pid} · running {view.running}/{view.cap} · queued {view.queued}")
        shown = f"{len(table.views)}" + (f" of {self.total}" if self.total > len(table.views) else "")
        parts.append(f"{shown} shown")
        if table.marked:
            parts.append(f"{len(table.marked)} marked")
        if self.state.statuses:
            parts.append("filter: " + ",".join(self.state.statuses))
        age = "" if self.loaded_at is None else cells.duration(time.monotonic() - self.loaded_at)
        if self.poll_error:
            error, attempt = self.poll_error
            parts.append(f"refresh failed ({attempt}×): {error}; data from {age or '–'} ago")
            bar.add_class("failing")
        else:
            bar.remove_class("failing")
        bar.update(" · ".join(parts))

    # ------------------------------------------------------------- shared helpers for screens

    def study_names(self, study_ids: set[str]) -> dict[str, str]:
        """Names of studies, for the job table's group headers (study rows never change)."""
        return {study_id: study.name for study_id, study in studies.names(study_ids).items()}

    def after_submit(self, job_id: str) -> None:
        self.state.selected = job_id
        self.pending_select = job_id
        if self.start_engine:
            self.ensure_engine(announce=False)
        self.notify(f"queued {job_id[:8]}")
        self.wake_poller()

    def open_detail(self, job_id: str, tab: str) -> None:
        from tui.detail import DetailScreen

        self.push_screen(DetailScreen(self.home, job_id, tab=tab))

    def action_open_results(self) -> None:
        screen = self.screen
        ids = [screen.job_id] if hasattr(screen, "job_id") else self.main.targets()
        pairs = []
        for job_id in ids:
            job = Job.get_or_none(Job.id == job_id)
            if job is None or not job.has_results or not entry(job.kind, "CHARTS"):
                continue
            pairs.append((job.label or job_id[:8], jobs.results(job_id)))
        if not pairs:
            self.notify("charts need a complete horn job with results", severity="warning")
            return
        from tui.results import ResultsScreen

        self.push_screen(ResultsScreen(pairs))

    def export(self, ids: list[str], fmt: str, directory: str) -> str | None:
        """Export each job's results into directory/<label or id>; returns an error line or None."""
        if not directory:
            return "give a directory"
        written = 0
        try:
            for job_id in ids:
                job = Job.get_by_id(job_id)
                name = jobs.export_name(job)
                export = entry(job.kind, "export_results")
                written += len(export(jobs.results(job_id), Path(directory).expanduser(), fmt, name))
        except (HornqError, ValueError, OSError) as exc:
            return one_line(str(exc), 200)
        self.notify(f"wrote {written} file(s) to {directory}")
        return None

    def edit_text(self, text: str, suffix: str) -> str | None:
        """Open text in $EDITOR (the app suspends meanwhile); None if unchanged or the editor failed."""
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        with tempfile.TemporaryDirectory(prefix="hornq-") as tmp:
            path = Path(tmp) / f"config{suffix}"
            path.write_text(text, encoding="utf-8")
            command = [*shlex.split(editor), str(path)]
            try:
                with self.suspend():
                    result = subprocess.run(command, check=False)
            except SuspendNotSupported:  # no terminal to hand over (e.g. headless): run it as it is
                result = subprocess.run(command, check=False, stdin=subprocess.DEVNULL)
            edited = path.read_text(encoding="utf-8")
        if result.returncode != 0:
            self.notify(f"{editor} exited with {result.returncode}; nothing queued", severity="warning")
            return None
        if edited == text:
            self.notify("config unchanged; nothing queued")
            return None
        return edited


def run(home: Home) -> str | None:
    open_database(home)
    return HornqApp(home).run()
