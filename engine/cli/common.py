"""What every command module shares: the parser class, one-line output helpers and opening the home.

Kept light on purpose: only the standard library loads here, so scripts that call hornq in a loop stay fast.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from engine.errors import EXIT_CODES, HornqError, UsageError

EPILOG = "exit codes:\n" + "\n".join(f"  {code:>3}  {text}" for code, text in EXIT_CODES.items())
Handler = Callable[[argparse.Namespace], int]


def formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32, width=_width())


@functools.cache
def _width() -> int:
    """argparse's own default width (terminal columns − 2), found once.

    Left to argparse, every formatter (over a hundred per run: one per parser and argument) imports
    shutil and asks the terminal again; the import alone is a few per cent of a submit.
    """
    try:
        columns = int(os.environ.get("COLUMNS", 0))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return (columns or 80) - 2


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line with hornq's usage exit code."""

    def error(self, message: str) -> None:  # type: ignore[override]
        command = self.prog.removeprefix("hornq").strip()  # main() prefixes "hornq: " to every error
        raise UsageError(f"{command}: {message}" if command else message)


class Commands:
    """The subcommand table each command module adds its commands to (``register(commands)``)."""

    def __init__(self, subparsers: Any) -> None:
        self._sub = subparsers

    def add(
        self, name: str, help_text: str, handler: Handler, *, json: bool = False, aliases: tuple[str, ...] = ()
    ) -> Parser:
        cmd = self._sub.add_parser(
            name, help=help_text, description=help_text, aliases=list(aliases), epilog=EPILOG, formatter_class=formatter
        )
        cmd.set_defaults(handler=handler)
        if json:
            add_json(cmd)
        return cmd


def add_json(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--json", action="store_true", help="machine-readable output")


def add_no_start(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--no-start", action="store_true", help="do not start a background engine")


def open_home(args: argparse.Namespace) -> Any:
    """The HORNQ_HOME the command acts on, with its database opened (and migrated) for this process."""
    from engine.paths import Home, resolve_home
    from engine.store.db import open_database

    home = Home(resolve_home(args.home))
    open_database(home)
    return home


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2)
    sys.stdout.write("\n")


def note(text: str) -> None:
    print(text, file=sys.stderr)


def quietly(predict: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
    """An estimate for the submit line, or None: a job without one (a command) or whose estimate failed is queued
    all the same, and the submit must say so by its exit code alone."""
    from engine.errors import Conflict

    try:
        return predict()
    except Conflict:
        return None
    except Exception as exc:  # the job is queued; an estimate that cannot be made must not turn that into a failure
        note(f"hornq: no estimate: {exc}")
        return None


def note_estimate(predict: Callable[[], dict[str, Any]]) -> None:
    """The estimate lines after a queued study's id (on stderr), when an estimate can be made."""
    from engine.store.estimates import summary_lines

    estimate = quietly(predict)
    sys.stdout.flush()  # the id first, also where stdout and stderr share a terminal or a file
    for line in summary_lines(estimate) if estimate else []:
        note(line)


def maybe_start_engine(home: Any, args: argparse.Namespace) -> None:
    if args.no_start:
        return
    from engine.run.daemon import ensure_running

    pid = ensure_running(home)
    if pid is not None:
        note(f"started the engine in the background (pid {pid}); `hornq engine stop` stops it")


def for_each(args: argparse.Namespace, act: Callable[[Any], dict[str, Any]]) -> int:
    """Apply an action to several ids; report each, fail with the first error's code.

    Every id is resolved before anything is done, so a mistyped id changes nothing; a job whose
    state refuses the action (e.g. already finished) does not stop the others. With ``--json`` a
    refusal is reported in the JSON only (``{"job_id", "error"}``), so a script reads one document.
    """
    from engine.store import jobs

    resolved, failed = [], None
    for prefix in args.ids:
        try:
            resolved.append(jobs.resolve(prefix))
        except HornqError as exc:
            failed = failed or exc
            note(f"hornq: {exc}")
    if failed:
        return failed.exit_code
    outcomes = []
    for job in resolved:
        try:
            outcomes.append(act(job))
        except HornqError as exc:
            failed = failed or exc
            outcomes.append({"job_id": job.id, "error": str(exc)})
            if not args.json:
                note(f"hornq: {exc}")
    if args.json:
        print_json(outcomes[0] if len(outcomes) == 1 and failed is None else outcomes)
    return failed.exit_code if failed else 0
