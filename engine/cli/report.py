"""``hornq report``: a picture of one job's results, or of several overlaid, to post or keep (PNG, SVG, HTML).

The kind's plugin draws it (``write_report``); this module only finds the jobs and their results, and refuses
before drawing anything: an unknown id, a kind without reports, a format it does not write, a job without results.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.cli.common import Commands, note, open_home
from engine.errors import Conflict, UsageError


def register(commands: Commands) -> None:
    cmd = commands.add(
        "report", "draw a job's results as a picture to share (PNG, SVG or HTML); several ids overlay", cmd_report
    )
    cmd.add_argument("ids", nargs="+", metavar="ID", help="job id or unique prefix; several are overlaid")
    cmd.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        type=Path,
        required=True,
        help="file to write: .png, .svg or .html (one self-contained page)",
    )
    cmd.add_argument(
        "--partial", action="store_true", help='draw the frequencies solved so far (marked "PARTIAL"), as export does'
    )


def cmd_report(args: argparse.Namespace) -> int:
    from engine.cli.results import refused_on_os_error, solved_so_far, stored_results
    from engine.run.partial import solved_line
    from engine.solvers import entry
    from engine.store import jobs

    home = open_home(args)
    resolved = list({job.id: job for job in map(jobs.resolve, args.ids)}.values())
    for job in resolved:
        if entry(job.kind, "write_report") is None:
            raise Conflict(f"job {jobs.short_id(job.id)} is a {job.kind} job: it has no report")
    kinds = {job.kind for job in resolved}
    if len(kinds) > 1:
        raise Conflict(f"jobs of different kinds ({', '.join(sorted(kinds))}) cannot share a report")
    kind = kinds.pop()
    formats = entry(kind, "REPORT_FORMATS")
    if args.output.suffix.lower().lstrip(".") not in formats:
        wanted = ", ".join(f".{fmt}" for fmt in formats)
        raise UsageError(f"cannot write a report as {args.output.name}: name a {wanted} file")
    reported = [
        {
            "job_id": job.id,
            "label": job.label,
            "results": solved_so_far(job, home) if args.partial else stored_results(job, home, "report"),
            "config": jobs.stored_config(job),
        }
        for job in resolved
    ]
    with refused_on_os_error(f"cannot write {args.output}"):
        entry(kind, "write_report")(reported, args.output)
    partial = [
        f"{jobs.short_id(r['job_id'])}: {solved_line(r['results'])}" for r in reported if "partial" in r["results"]
    ]
    note(f"wrote {args.output}" + (f" (partial results: {'; '.join(partial)})" if partial else ""))
    return 0
