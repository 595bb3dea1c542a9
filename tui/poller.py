"""The job table's poller and its query state.

``Poller`` runs in one thread worker: it reads the window of jobs for the query once, then only what changed
(``engine.store.watch``), and returns messages for the screen to apply. ``PollState`` is what the screen knows
from those messages (the engine, how many jobs match, how old the data is, the last failure), and the status bar
line that says exactly that.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from textual.message import Message

from engine.paths import Home
from engine.store import studies, watch
from engine.store.db import open_database
from engine.store.lifecycle import ACTIVE, TERMINAL
from tui import cells
from tui.messages import JobsChanged, JobsLoaded, PollFailed, Query, explain
from tui.state import ViewState

ACTIVE_POLL_S = 1.0
IDLE_POLL_S = 10.0
BACKOFF_S = (1.0, 2.0, 5.0, 10.0)


def query_of(state: ViewState) -> Query:
    return frozenset(state.statuses), state.search, state.sort, state.descending


class Poller:
    """Reads jobs for one screen. The UI thread only calls ``set_query``, ``wake`` and ``stop``; everything else
    runs in the poll thread, which alone touches ``seq``, ``known``, ``named`` and ``searching``."""

    def __init__(self, home: Home, query: Query) -> None:
        self.home = home
        self.query = query
        self.opened = False
        self.seq: int | None = None
        self.complete = True  # the window holds every job that matches the query
        self.known: set[str] = set()  # matching jobs the screen has been sent
        self.named: set[str] = set()  # studies whose names the screen has been sent
        self.searching: set[str] = set()  # of those, optimisations still proposing points
        self.failures = 0
        self.busy = True
        self._wake = threading.Event()
        self._reload = threading.Event()
        self._stop = threading.Event()

    def set_query(self, query: Query) -> None:
        self.query = query
        self._reload.set()
        self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def poll_once(self) -> Message:
        """A window when there is none yet or the query changed, else what changed since; a failure is a message
        too, so the screen keeps its data and says what went wrong."""
        try:
            if not self.opened:
                open_database(self.home)
                self.opened = True
            message = self.load() if self.seq is None or self._reload.is_set() else self.changes()
        except Exception as exc:  # any failure: the next poll retries with backoff
            self.failures += 1
            return PollFailed(explain(exc), self.failures)
        self.failures = 0
        return message

    def load(self) -> JobsLoaded:
        self._reload.clear()
        query = self.query
        snapshot = watch.snapshot(*query)
        self.seq = snapshot.seq
        self.complete = snapshot.total == len(snapshot.jobs)
        self.known = {job.id for job in snapshot.jobs}
        self.busy = _busy(snapshot.engine)
        return JobsLoaded(snapshot, query, self._names(snapshot.jobs))

    def changes(self) -> JobsChanged:
        """The delta since the last poll. When the window holds only part of the matches and a job the screen
        was never sent changed or went, the matches are counted again (one indexed count)."""
        assert self.seq is not None
        delta = watch.changes_since(self.seq)
        delta.engine = watch.engine_view()
        statuses, search, _, _ = self.query
        touched = {job.id for job in delta.changed} | set(delta.deleted)
        total = None
        if not self.complete and touched - self.known:
            total = watch.snapshot(statuses, search, limit=0).total
        self.known = (self.known - touched) | {job.id for job in delta.changed if job.matches(statuses, search)}
        self.seq = delta.seq
        self.busy = _busy(delta.engine)
        return JobsChanged(delta, self._names(delta.changed), total)

    def _names(self, jobs: list[watch.JobView]) -> dict[str, studies.Title]:
        """Titles of studies not sent before (a study's name never changes), and again of a running optimisation
        once it has ended (it stops counting the trials it never tried). Running optimisations are read every
        poll: one may end without a job changing (its last point refused before it got one)."""
        touched = {job.study_id for job in jobs if job.study_id}
        asked = (touched - self.named) | self.searching
        if not asked:
            return {}
        found = studies.titles(asked)
        searched, self.searching = self.searching, {study_id for study_id, title in found.items() if title.trials}
        self.named |= asked
        return {study_id: title for study_id, title in found.items() if study_id not in self.searching & searched}

    def interval(self) -> float:
        if self.failures:
            return BACKOFF_S[min(self.failures, len(BACKOFF_S)) - 1]
        return ACTIVE_POLL_S if self.busy else IDLE_POLL_S

    def run(self, cancelled: Callable[[], bool], post: Callable[[Message], object]) -> None:
        """Poll until stopped: at once when woken (an action wrote something), else every ``interval()``."""
        while True:
            self._wake.wait(self.interval())
            self._wake.clear()
            if cancelled() or self._stop.is_set():
                return
            post(self.poll_once())


def _busy(engine: watch.EngineView | None) -> bool:
    """Poll often while jobs run or wait, or while no engine runs (to see one start)."""
    return engine is None or engine.pid is None or bool(engine.running or engine.queued)


@dataclass
class PollState:
    """What the main screen knows from the poller's messages."""

    engine: watch.EngineView | None = None
    total: int = 0
    complete: bool = True
    loaded_at: float | None = None
    error: tuple[str, int] | None = None
    seen_active: set[str] = field(default_factory=set)

    def loaded(self, snapshot: watch.Snapshot) -> None:
        self.total = snapshot.total
        self.complete = snapshot.total == len(snapshot.jobs)
        self.seen_active.update(job.id for job in snapshot.jobs if job.status in ACTIVE)
        self.polled(snapshot.engine)

    def polled(self, engine: watch.EngineView | None) -> None:
        if engine is not None:
            self.engine = engine
        self.loaded_at = time.monotonic()
        self.error = None

    def recount(self, shown: int, removed: int, total: int | None = None) -> None:
        """How many jobs match after rows came or went: the rows themselves when the table holds every match,
        else a fresh count, else the last count less the rows removed."""
        if self.complete:
            self.total = shown
        elif total is not None:
            self.total = max(total, shown)
        else:
            self.total = max(shown, self.total - removed)

    def finished(self, changed: list[watch.JobView]) -> list[watch.JobView]:
        """Jobs seen queued or running that have now ended: the ones to announce."""
        ended = []
        for job in changed:
            if job.status in ACTIVE:
                self.seen_active.add(job.id)
            elif job.status in TERMINAL and job.id in self.seen_active:
                self.seen_active.discard(job.id)
                ended.append(job)
        return ended

    def status_line(self, shown: int, marked: int, statuses: list[str], engine_key: str = "ctrl+e") -> str:
        """Marks first, so they stay in sight at 80 columns; then the engine, the counts, the filter, failures."""
        parts = [f"{marked} marked"] if marked else []
        view = self.engine
        if view is None:
            parts.append("connecting…")
        elif view.pid is None:
            parts.append(f"no engine running ({engine_key} starts one) · queued {view.queued}")
        else:
            parts.append(f"engine pid {view.pid} · running {view.running}/{view.cap} · queued {view.queued}")
        parts.append(f"{shown} of {self.total} shown" if self.total > shown else f"{shown} shown")
        if statuses:
            parts.append("filter: " + ",".join(statuses))
        if self.error:
            error, attempt = self.error
            age = "–" if self.loaded_at is None else cells.duration(time.monotonic() - self.loaded_at)
            parts.append(f"refresh failed ({attempt}×): {error}; data from {age} ago")
        return " · ".join(parts)
