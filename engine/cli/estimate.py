"""What a job will cost before it runs (``hornq estimate``), and the jobs that measure this machine (``calibrate``).

The figures come from ``engine.store.estimates``: the job kind's plugin, fitted from this home's finished jobs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.cli.common import Commands, add_no_start, maybe_start_engine, note, open_home, print_json


def register(commands: Commands) -> None:
    cmd = commands.add(
        "estimate",
        "predict a job config's run time, peak memory and resolved frequency range, queueing nothing",
        cmd_estimate,
        json=True,
    )
    cmd.add_argument("file", type=Path)
    cmd.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="NAME=VALUES",
        help="estimate a study, as hornq submit --vary would queue it (a=40:60:5, R=100,130)",
    )

    cmd = commands.add(
        "calibrate", "queue two small real horn jobs that measure this machine for the estimates", cmd_calibrate
    )
    cmd.add_argument("--json", action="store_true", help="machine-readable output")
    add_no_start(cmd)


def cmd_estimate(args: argparse.Namespace) -> int:
    from engine.store.estimates import describe, estimate_file

    open_home(args)
    document = estimate_file(args.file, args.vary)
    if args.json:
        print_json(document)
        return 0
    print(describe(document))
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from engine.config.job import parse_config
    from engine.solvers import entry
    from engine.store import jobs

    specs = [parse_config(raw, Path.cwd()) for raw in entry("horn", "calibration_configs")()]
    home = open_home(args)
    ids = jobs.submit_many(specs)
    maybe_start_engine(home, args)
    if args.json:
        print_json({"jobs": ids})
        return 0
    for job_id in ids:
        print(job_id)
    note("queued the calibration jobs: estimates use their figures once they finish (a minute or two)")
    return 0
