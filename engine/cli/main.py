"""The ``hornq`` command line: headless access to everything, with ``--json`` on every read.

Each command group registers itself; heavy modules are imported by the commands that need them, so
the start-up cost of a call stays that of the standard library and peewee.
"""

from __future__ import annotations

import os
import sys

from engine import __version__
from engine.cli import ath, config, engine, estimate, jobs, measurements, optimize, report, results, studies
from engine.cli.common import EPILOG, Commands, Parser, formatter
from engine.errors import READER_GONE, HornqError


def build_parser() -> Parser:
    parser = Parser(
        prog="hornq",
        description="Queue and run horn BEM simulations and other jobs.",
        epilog=EPILOG,
        formatter_class=formatter,
    )
    parser.add_argument("--home", help="state directory (default: $HORNQ_HOME or the user data dir)")
    parser.add_argument("--version", action="version", version=f"hornq {__version__}")
    commands = Commands(parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser))
    for group in (jobs, ath, estimate, results, report, studies, optimize, measurements, config, engine):
        group.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        code = _run(parser, argv)
        sys.stdout.flush()  # here, while a reader that left can still be told apart from a failure
        return code
    except BrokenPipeError:
        return _reader_gone()
    except HornqError as exc:
        print(f"hornq: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from engine.errors import StorageError, storage_failure

        if not storage_failure(exc):
            raise
        print(f"hornq: database error: {exc} (nothing was changed)", file=sys.stderr)
        return StorageError.exit_code


def _run(parser: Parser, argv: list[str] | None) -> int:
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    return args.handler(args)


def _reader_gone() -> int:
    """The reader of our output left (``hornq jobs | head``): stop quietly, as Unix tools do.

    stdout is pointed at /dev/null first, so the interpreter's last flush at exit cannot fail again.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return READER_GONE
