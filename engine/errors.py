"""Errors users can act on: each carries the CLI exit code that reports it."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _escaped(match: re.Match[str]) -> str:
    return repr(match.group())[1:-1]


class HornqError(Exception):
    """A failure explained in one readable line; the CLI prints it without a traceback.

    Messages often quote what the user typed: control characters in it are shown escaped (a newline
    as \\n, an escape sequence as \\x1b), so the message stays one line and cannot drive the terminal.
    """

    exit_code = 1

    def __init__(self, message: str = "") -> None:
        super().__init__(_CONTROL.sub(_escaped, str(message)))


class UsageError(HornqError):
    exit_code = 2


class ConfigError(HornqError):
    """A job config or setting that cannot be accepted; nothing was written."""

    exit_code = 3


class NotFound(HornqError):
    exit_code = 4


class AmbiguousId(HornqError):
    exit_code = 5


class Conflict(HornqError):
    """The job's state forbids the action (e.g. deleting a running job)."""

    exit_code = 6


class StorageError(HornqError):
    """HORNQ_HOME or its database cannot be used as asked."""

    exit_code = 7


class EngineError(HornqError):
    exit_code = 8


class IllegalTransition(Conflict):
    """A status change the lifecycle does not allow; raised before anything changes."""


def storage_failure(exc: BaseException) -> bool:
    """SQLite trouble (locked past the busy timeout, disk full, damaged file) as raised through peewee."""
    import sqlite3

    import peewee

    return isinstance(exc, (sqlite3.Error, peewee.PeeweeException))


#: The exit status when the output's reader left early (``hornq jobs | head``): 128 + SIGPIPE, what a shell
#: reports for the tools that signal ends, so pipelines see hornq as they see ``cat`` or ``grep``.
READER_GONE = 141

EXIT_CODES = {
    0: "success",
    1: "unexpected failure",
    2: "bad command-line usage",
    3: "invalid job config or setting",
    4: "unknown job id or measurement name",
    5: "ambiguous job id prefix",
    6: "job state forbids the action (e.g. delete of an active job)",
    7: "storage problem (HORNQ_HOME not writable, newer or damaged database)",
    8: "engine problem (already running, not running, failed to start)",
    READER_GONE: "the output's reader left early (e.g. | head); nothing else went wrong",
}
