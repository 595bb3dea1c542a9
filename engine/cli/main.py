"""The ``hornq`` command line: headless access to everything, with ``--json`` on every read.

Each command group registers itself; heavy modules are imported by the commands that need them, so
the start-up cost of a call stays that of the standard library and peewee.
"""

from __future__ import annotations

import sys

from engine import __version__
from engine.cli import config, engine, jobs, results, studies
from engine.cli.common import EPILOG, Commands, Parser, formatter
from engine.errors import HornqError


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
    for group in (jobs, results, studies, config, engine):
        group.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "handler", None):
            parser.print_help()
            return 0
        return args.handler(args)
    except HornqError as exc:
        print(f"hornq: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:
        from engine.errors import StorageError, storage_failure

        if not storage_failure(exc):
            raise
        print(f"hornq: database error: {exc} (nothing was changed)", file=sys.stderr)
        return StorageError.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
