"""What the app's workers tell its screens: every database or file read or write runs in a thread worker, and
its result or its failure comes back as one of these messages, handled on the UI thread.

Messages that a newer one makes stale declare ``can_replace``, so a burst collapses into the last one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.notifications import SeverityLevel

from engine.errors import HornqError, storage_failure
from engine.store import watch
from engine.store.studies import Title
from engine.text import one_line

if TYPE_CHECKING:
    from tui.chart_reader import ChartReader
    from tui.compare import Comparison
    from tui.plotting import ChartedJob

Query = tuple[frozenset[str], str, str, bool]
BUSY = "the database is busy (another hornq process holds it); try again"


def is_busy(exc: BaseException) -> bool:
    """SQLite gave up waiting for another process's lock: trying again later may succeed."""
    return storage_failure(exc) and any(word in str(exc) for word in ("locked", "busy"))


def explain(exc: BaseException) -> str:
    """One line saying why an operation failed, for a toast or an inline message."""
    if isinstance(exc, HornqError):
        return str(exc)
    if is_busy(exc):
        return BUSY
    if storage_failure(exc):
        return one_line(f"database error: {exc}", 200)
    if isinstance(exc, OSError) and exc.strerror:
        return one_line(f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror, 200)
    return one_line(f"{type(exc).__name__}: {exc}", 200)


# ------------------------------------------------------------------------ the job table's poller


class JobsLoaded(Message):
    """A fresh window of jobs for a query; a newer window supersedes it."""

    def __init__(self, snapshot: watch.Snapshot, query: Query, study_names: dict[str, Title]) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.query = query
        self.study_names = study_names

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, JobsLoaded)


class JobsChanged(Message):
    """What changed since the last poll; ``total`` is a fresh count of the query's matches when the table holds
    only part of them and a job beyond it may have come or gone."""

    def __init__(self, delta: watch.Delta, study_names: dict[str, Title], total: int | None = None) -> None:
        super().__init__()
        self.delta = delta
        self.study_names = study_names
        self.total = total


class PollFailed(Message):
    """A poll failed; the table keeps its data and the poller retries with backoff."""

    def __init__(self, error: str, attempt: int) -> None:
        super().__init__()
        self.error = error
        self.attempt = attempt

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PollFailed)


# ------------------------------------------------------------------------ actions on jobs


@dataclass(frozen=True)
class Failure:
    job_id: str
    reason: str
    busy: bool


class JobsActedOn(Message):
    """A bulk action (cancel, delete, label, re-run) went through the jobs it was asked to act on."""

    def __init__(self, action: str, done: list[str], failed: list[Failure], queued: list[str]) -> None:
        super().__init__()
        self.action = action
        self.done = done
        self.failed = failed
        self.queued = queued


class JobsQueued(Message):
    """New jobs were queued (a config file, a study, an edited re-run)."""

    def __init__(self, job_ids: list[str]) -> None:
        super().__init__()
        self.job_ids = job_ids


class SubmitRefused(Message):
    """A config file was refused; nothing was queued."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class ConfigLoaded(Message):
    """A job's stored config as TOML, to edit before queueing it again."""

    def __init__(self, job_id: str, label: str | None, text: str) -> None:
        super().__init__()
        self.job_id = job_id
        self.label = label
        self.text = text


class ExportDone(Message):
    """Results were exported (``written`` files), or the export stopped at a job."""

    def __init__(self, job_ids: list[str], written: int, directory: str, error: str | None) -> None:
        super().__init__()
        self.job_ids = job_ids
        self.written = written
        self.directory = directory
        self.error = error


class ComparisonLoaded(Message):
    def __init__(self, comparison: Comparison) -> None:
        super().__init__()
        self.comparison = comparison


class ChartsLoaded(Message):
    """The results to chart, and the reader that read them (it reads them again while a charted job runs)."""

    def __init__(self, charted: list[ChartedJob], reader: ChartReader) -> None:
        super().__init__()
        self.charted = charted
        self.reader = reader


class ChartsRead(Message):
    """The charted jobs' results read again; ``live`` is False once none of them is queued or running."""

    def __init__(self, charted: list[ChartedJob], *, live: bool) -> None:
        super().__init__()
        self.charted = charted
        self.live = live

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ChartsRead)


class Notice(Message):
    """Something a worker has to tell the user; it bubbles up to the app, which shows it as a toast."""

    def __init__(self, text: str, severity: SeverityLevel = "information") -> None:
        super().__init__()
        self.text = text
        self.severity = severity


def failed(what: str, exc: BaseException) -> Notice:
    """A toast naming what failed and why (``cancel 3f2a9c1e: the database is busy …``)."""
    return Notice(f"{what}: {explain(exc)}", "warning" if isinstance(exc, HornqError) else "error")


# ------------------------------------------------------------------------ the detail screen


@dataclass(frozen=True)
class JobDetail:
    """Everything the detail screen shows of a job, read together in its worker."""

    job: watch.JobView
    exit_code: int | None
    history: list[dict[str, Any]]
    solved_with: str | None


class JobRead(Message):
    """The job as it is now; ``detail`` is None when it was deleted or could not be read (``error``)."""

    def __init__(self, job_id: str, detail: JobDetail | None, error: str | None = None) -> None:
        super().__init__()
        self.job_id = job_id
        self.detail = detail
        self.error = error

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, JobRead) and message.job_id == self.job_id


class LogRead(Message):
    """The next chunk of a job's log (never replaced: each chunk follows the one before)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
