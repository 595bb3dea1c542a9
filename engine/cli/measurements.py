"""``hornq measurement``: keep measured responses (FRD files, polar sets) by name, to compare simulations with.

Reading the files is the kind's (the horn plugin's ``read_measurement`` entry); listing, showing and removing load
only the standard library and peewee.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from engine.cli.common import EPILOG, Commands, Handler, Parser, add_json, formatter, open_home, print_json
from engine.errors import UsageError

KIND = "horn"


def register(commands: Commands) -> None:
    group = commands.add("measurement", "keep measured responses by name: add, list, show, remove", cmd_help)
    actions = group.add_subparsers(dest="measurement_command", metavar="ACTION", parser_class=Parser)

    def action(name: str, help_text: str, handler: Handler, json: bool = True) -> Parser:
        cmd = actions.add_parser(name, help=help_text, description=help_text, epilog=EPILOG, formatter_class=formatter)
        cmd.set_defaults(handler=handler)
        if json:
            add_json(cmd)
        return cmd

    cmd = action("add", "read FRD files, or directories of them (a polar set), and keep them under NAME", cmd_add)
    cmd.add_argument("name", metavar="NAME")
    cmd.add_argument("paths", nargs="+", type=Path, metavar="FILE|DIR")
    cmd.add_argument("--distance", type=float, metavar="M", help="measuring distance in metres (recorded only)")
    action("list", "list measurements by name", cmd_list)
    cmd = action("show", "print a measurement (--json: the whole document, shaped like a job's results)", cmd_show)
    cmd.add_argument("name", metavar="NAME")
    cmd = action("remove", "delete a measurement", cmd_remove, json=False)
    cmd.add_argument("name", metavar="NAME")


def cmd_help(args: argparse.Namespace) -> int:
    raise UsageError("hornq measurement: give an action: add, list, show or remove")


def cmd_add(args: argparse.Namespace) -> int:
    from engine.solvers import entry
    from engine.store import measurements

    if args.distance is not None and not (args.distance > 0 and math.isfinite(args.distance)):
        raise UsageError("--distance must be a positive number of metres")
    open_home(args)
    name = measurements.check_name(args.name)
    document = entry(KIND, "read_measurement")(args.paths, args.distance)
    stored = measurements.add(name, KIND, document)
    if args.json:
        print_json(stored.as_json())
        return 0
    print(f"added measurement {stored.name!r}: {stored.summary}")
    for line in document["metadata"].get("notes", []):
        print(f"  {line}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from engine.store import measurements

    open_home(args)
    found = measurements.list_measurements()
    if args.json:
        print_json({"items": [m.as_json() for m in found]})
        return 0
    if not found:
        print("no measurements (hornq measurement add NAME FILE.frd… adds one)")
    width = max((len(m.name) for m in found), default=0)
    for m in found:
        print(f"{m.name:<{width}}  {m.created_at[:10]}  {m.summary}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from engine.store import measurements

    open_home(args)
    stored, document = measurements.get(args.name)
    if args.json:
        print_json(document)
        return 0
    metadata = document.get("metadata", {})
    print(f"{stored.name} ({stored.kind}, added {stored.created_at[:19].replace('T', ' ')} UTC)")
    print(f"  {stored.summary}")
    distance = (document.get("observation") or {}).get("distance_m")
    if distance is not None:
        print(f"  measured at {distance:g} m")
    for line in metadata.get("notes", []):
        print(f"  {line}")
    files = metadata.get("files", [])
    print(f"  {len(files)} file{'s' if len(files) != 1 else ''}:")
    for file in files:
        print(f"    {file['file']}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from engine.store import measurements

    open_home(args)
    print(f"removed measurement {measurements.remove(args.name)!r}")
    return 0
