"""The hornq terminal app: a client of the database, never of the solver.

The app keeps the screens, the theme, the keymap and the view a user leaves; the main screen owns the job table,
its poller and its status bar. Nothing runs a database or file access on the UI thread: the view, the themes and
the keymap are read before the app starts, and everything later runs in thread workers that answer in messages
(``tui.messages``), so another process holding the database never freezes the screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import os
import shlex
import subprocess
import tempfile
import threading
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from textual import work
from textual.app import App, SuspendNotSupported
from textual.binding import Binding
from textual.dom import DOMNode
from textual.notifications import Notification, Notify
from textual.screen import Screen

from engine.paths import Home
from engine.run import daemon
from engine.store.db import open_database
from tui.chart_reader import ChartReader
from tui.commands import ActionCommands
from tui.compare import ComparisonScreen, MetricChartScreen
from tui.detail import DetailScreen
from tui.dialogs import ConfirmDialog, ExportDialog, FilterDialog, InputDialog
from tui.help import HelpScreen, Section
from tui.keys import clashes, declared_bindings, declared_rows, live_rows, parse_keymap
from tui.main import MainScreen
from tui.messages import ChartsLoaded, Notice, explain, failed
from tui.results import ResultsScreen
from tui.state import ViewState
from tui.studies import StudyJobTable

KEYMAP_FILE = "keymap.toml"
#: The first paint waits this long at most for the first window of jobs (read in a worker), then paints anyway.
FIRST_PAINT_WAIT_S = 2.0
#: At most this many toasts show at once (the oldest goes first), so a burst never buries the screen.
MAX_TOASTS = 3
#: Each screen as help names it, with the classes whose bindings it answers to, in the order help lists them.
SCREENS: tuple[tuple[str, type[Screen], tuple[type[DOMNode], ...]], ...] = (
    ("Job table", MainScreen, (StudyJobTable,)),
    ("Job detail", DetailScreen, ()),
    ("Charts", ResultsScreen, ()),
    ("Compare", ComparisonScreen, ()),
    ("Metric chart", MetricChartScreen, ()),
)
#: The dialogs, listed together in help; each is modal, so only its own bindings answer.
DIALOGS: tuple[tuple[str, type[Screen]], ...] = (
    ("confirmation", ConfirmDialog),
    ("input dialog", InputDialog),
    ("export dialog", ExportDialog),
    ("filter dialog", FilterDialog),
    ("help", HelpScreen),
)


def known_ids() -> set[str]:
    """Every binding id a keymap.toml may name."""
    classes = [HornqApp, *(c for _, screen, widgets in SCREENS for c in (screen, *widgets)), *dict(DIALOGS).values()]
    return {b.id for b in declared_bindings(*classes) if b.id}


class HornqApp(App[str | None]):
    TITLE = "hornq"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ActionCommands}
    BINDINGS = [
        Binding("q", "quit_app", "Quit", id="app.quit", tooltip="leave hornq; running jobs go on"),
        Binding("question_mark", "help", "Help", id="app.help", tooltip="list every key"),
        Binding("T", "change_theme", "Theme", show=False, id="app.theme", tooltip="pick a colour theme"),
        Binding(
            "ctrl+p",
            "command_palette",
            "Palette",
            show=False,
            priority=True,
            id="app.palette",
            tooltip="search every action of this screen by name",
        ),
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
        self.start_problems: list[str] = []
        self._register_themes()
        self.keys = self._read_keymap()
        self._saving = threading.Lock()
        self.quitting = False
        self._toasts: dict[tuple[str, str, str], tuple[Notification, int]] = {}

    # ------------------------------------------------------------- start and stop

    async def on_mount(self) -> None:
        """Paint once the main screen has its first window of jobs (or after FIRST_PAINT_WAIT_S): keys pressed
        meanwhile wait in the queue instead of landing on an empty table."""
        for problem in self.start_problems:
            self.notify(problem, severity="warning", timeout=10, markup=False)
        if self.keys:
            self.set_keymap(self.keys)
        main = MainScreen()
        await self.push_screen(main)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(main.first_load.wait(), FIRST_PAINT_WAIT_S)
        if self.start_engine:
            self.ensure_engine(announce=False)
        self.set_interval(1.0, self._save_if_changed)

    def _register_themes(self) -> None:
        import themes

        for theme in themes.builtin_themes():
            self.register_theme(theme)
        user, errors = themes.load_user_themes(self.home.root / "themes")
        for theme in user:
            self.register_theme(theme)
        self.start_problems.extend(errors)
        if self.state.theme in self.available_themes:
            self.theme = self.state.theme

    def _read_keymap(self) -> dict[str, str]:
        path = self.home.root / KEYMAP_FILE
        if not path.exists():
            return {}
        try:
            keys, problems = parse_keymap(path.read_text(encoding="utf-8"), known_ids())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            self.start_problems.append(f"{path}: {exc}")
            return {}
        screens = [(title, declared_bindings(cls, *widgets, HornqApp)) for title, cls, widgets in SCREENS]
        screens += [(title, declared_bindings(cls)) for title, cls in DIALOGS]
        self.start_problems.extend([*problems, *clashes(screens, keys)])
        return keys

    def _on_notify(self, event: Notify) -> None:
        """Coalesce toasts: the same text again replaces its toast with a count (``… (×3)``), and at most
        MAX_TOASTS show at once."""
        note = event.notification
        key = (note.title, note.message, note.severity)
        self._toasts = {k: v for k, v in self._toasts.items() if v[0] in self._notifications and not v[0].has_expired}
        count = 1
        if key in self._toasts:
            old, count = self._toasts.pop(key)
            self._unnotify(old, refresh=False)
            count += 1
            note.message = f"{note.message} (×{count})"
        self._toasts[key] = (note, count)
        while len(self._toasts) > MAX_TOASTS:
            oldest = next(iter(self._toasts))
            self._unnotify(self._toasts.pop(oldest)[0], refresh=False)
        super()._on_notify(event)

    def watch_theme(self, theme: str) -> None:
        if theme != self.state.theme:
            self.state.theme = theme
            self.state_dirty = True

    @work(thread=True, group="engine", exclusive=True)
    def ensure_engine(self, *, announce: bool) -> None:
        try:
            pid = daemon.ensure_running(self.home)
        except Exception as exc:  # a toast: the app goes on without an engine
            self.post_message(failed("could not start the engine", exc))
            return
        if pid is not None:
            self.post_message(Notice(f"started the background engine (pid {pid})"))
        elif announce:
            self.post_message(Notice("the engine is already running"))

    def on_notice(self, message: Notice) -> None:
        timeout = 10 if message.severity == "error" else self.NOTIFICATION_TIMEOUT
        self.notify(message.text, severity=message.severity, timeout=timeout, markup=False)

    def action_quit_app(self) -> None:
        """Save the view, then leave; a worker writes the file and asks the app to exit when it is written."""
        if self.quitting:
            return
        self.quitting = True
        view = self.main.polled.engine if self.main else None
        running = view.running + view.queued if view else 0
        message = None
        if running:
            where = f" in the background engine (pid {view.pid})" if view and view.pid else ""
            message = f"{running} job(s) keep running{where}; run `hornq` to re-attach."
        self.save_state(then_exit=True, message=message)

    def _save_if_changed(self) -> None:
        if self.state_dirty:
            self.save_state()

    def save_state(self, *, then_exit: bool = False, message: str | None = None) -> None:
        self.state_dirty = False
        self._write_state(copy.deepcopy(self.state), then_exit, message)

    @work(thread=True, group="state")
    def _write_state(self, state: ViewState, then_exit: bool, message: str | None) -> None:
        with self._saving:  # two saves never interleave their partial files
            try:
                state.save(self.home.root)
            except OSError as exc:
                self.post_message(Notice(f"could not save the view: {explain(exc)}", "warning"))
        if then_exit:
            self.call_from_thread(self.exit, message)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.help_sections(self.screen)))

    def help_sections(self, screen: Screen) -> list[Section]:
        """The keys of the screen help was asked on as they work now (keymap applied, shadowed keys left out),
        then the app's, then every other screen's as the keymap sets them."""
        live = live_rows(screen)
        here = next((title for title, cls, _ in SCREENS if type(screen) is cls), "This screen")
        sections = [
            (f"{here} (this screen)", [row for row in live if row.node is not self]),
            ("Everywhere", [row for row in live if row.node is self]),
        ]
        for title, cls, widgets in SCREENS:
            if type(screen) is not cls:
                sections.append((title, declared_rows(declared_bindings(cls, *widgets), self.keys)))
        dialogs = declared_bindings(*(cls for _, cls in DIALOGS))
        return [(title, rows) for title, rows in [*sections, ("Dialogs", declared_rows(dialogs, self.keys))] if rows]

    # ------------------------------------------------------------- shared services for screens

    @property
    def main(self) -> MainScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)

    def open_detail(self, job_id: str, tab: str) -> None:
        self.push_screen(DetailScreen(self.home, job_id, tab=tab))

    def action_open_results(self) -> None:
        targets = getattr(self.screen, "chart_targets", None)
        self.show_charts(targets() if targets else [])

    @work(thread=True, group="charts", exclusive=True)
    def show_charts(self, ids: list[str], names: dict[str, str] | None = None) -> None:
        """Read the results of the jobs that have charts (or the partial results of those that have only them),
        then open them; the screen reads them again while any of the jobs is queued or running."""
        reader = ChartReader(self.home, ids, names)
        try:
            charted = reader.open()
        except Exception as exc:  # a toast naming what failed
            self.post_message(failed("charts", exc))
            return
        self.post_message(ChartsLoaded(charted, reader))

    def on_charts_loaded(self, message: ChartsLoaded) -> None:
        if not message.charted:
            self.notify("charts need a horn job with results or solved frequencies", severity="warning")
            return
        self.push_screen(ResultsScreen(message.charted, reader=message.reader))

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
            self.notify(f"{editor} exited with {result.returncode}; nothing queued", severity="warning", markup=False)
            return None
        if edited == text:
            self.notify("config unchanged; nothing queued")
            return None
        return edited


def run(home: Home) -> str | None:
    open_database(home)
    return HornqApp(home).run()
