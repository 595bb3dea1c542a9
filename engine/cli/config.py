"""``hornq config``: settings of this HORNQ_HOME, and commented example job configs."""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from engine.cli.common import EPILOG, Commands, Parser, add_json, formatter, open_home, print_json
from engine.errors import UsageError

#: How an empty setting shows in a list, as it would be typed to ``hornq config set``.
EMPTY = '""'


def register(commands: Commands) -> None:
    config = commands.add("config", "show or change settings, or print an example job config", cmd_config_help)
    actions = config.add_subparsers(dest="config_command", metavar="ACTION", parser_class=Parser)
    cmd = actions.add_parser("get", help="show settings", epilog=EPILOG, formatter_class=formatter)
    cmd.set_defaults(handler=cmd_config_get)
    cmd.add_argument("key", nargs="?")
    add_json(cmd)
    cmd = actions.add_parser("set", help="change a setting", epilog=EPILOG, formatter_class=formatter)
    cmd.set_defaults(handler=cmd_config_set)
    cmd.add_argument("key")
    cmd.add_argument("value")
    cmd = actions.add_parser(
        "example", help="print a commented example job config", epilog=EPILOG, formatter_class=formatter
    )
    cmd.set_defaults(handler=cmd_config_example)
    cmd.add_argument("kind")


def cmd_config_help(args: argparse.Namespace) -> int:
    raise UsageError("hornq config: give an action: get, set or example")


def cmd_config_get(args: argparse.Namespace) -> int:
    from engine.store import settings

    open_home(args)
    values = {args.key: settings.get(args.key)} if args.key else settings.get_all()
    if args.json:
        print_json(values)
        return 0
    if args.key:
        print(as_typed(values[args.key]))
        return 0
    typed = {key: as_typed(value) or EMPTY for key, value in values.items()}
    key_width, value_width = max(map(len, typed)), max(map(len, typed.values()))
    for key, text in typed.items():
        print(f"{key:<{key_width}}  {text:<{value_width}}  # {settings.SPECS[key].help}")
    return 0


def as_typed(value: Any) -> str:
    """A setting as ``hornq config set`` takes it: an argv template quoted as a shell would."""
    return shlex.join(value) if isinstance(value, list) else str(value)


def cmd_config_set(args: argparse.Namespace) -> int:
    from engine.store import settings

    open_home(args)
    value = settings.set_value(args.key, args.value)
    print(f"{args.key} = {as_typed(value) or EMPTY}")
    return 0


def cmd_config_example(args: argparse.Namespace) -> int:
    from engine.config.examples import example

    sys.stdout.write(example(args.kind))
    return 0
