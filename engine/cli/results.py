"""Commands that read what jobs produced: results, files for other tools, meshes, and the whole history."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.cli.common import Commands, note, open_home, print_json
from engine.errors import Conflict, UsageError

if TYPE_CHECKING:
    from engine.paths import Home
    from engine.store.models import Job

PARTIAL_HELP = (
    'the frequencies solved so far, of a running, cancelled or failed job (marked "partial"); a complete job\'s results'
)


def register(commands: Commands) -> None:
    cmd = commands.add("results", "print a job's results (JSON)", cmd_results, json=True)
    cmd.add_argument("id")
    cmd.add_argument("--partial", action="store_true", help=PARTIAL_HELP)

    cmd = commands.add("export", "write a job's results as files for other tools (horn: FRD, CSV or JSON)", cmd_export)
    cmd.add_argument("id")
    cmd.add_argument(
        "--partial", action="store_true", help="export the frequencies solved so far; file names end in -partial"
    )
    cmd.add_argument("--format", choices=("frd", "csv", "json"), default="frd", help="file format (default frd)")
    cmd.add_argument("--out", type=Path, required=True, help="directory to write into (created if needed)")
    cmd.add_argument("--name", help="base file name (default: the label, or the short id)")

    cmd = commands.add("mesh", "write a job's mesh artifact (.msh)", cmd_mesh)
    cmd.add_argument("id")
    cmd.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    cmd.add_argument("--artifact", metavar="NAME", help="another artifact of the job, e.g. mesh-band1.msh")

    cmd = commands.add(
        "export-history",
        "write every job's config, summary, history, study and metrics, and the measurements, to a JSON file",
        cmd_export_history,
    )
    cmd.add_argument("file", type=Path)
    cmd.add_argument("--results", action="store_true", help="include results")

    cmd = commands.add(
        "import-history", "import jobs from an export-history file (ids kept when free)", cmd_import_history, json=True
    )
    cmd.add_argument("file", type=Path)


@contextmanager
def refused_on_os_error(what: str) -> Iterator[None]:
    """A file the user named cannot be written: one line saying why, not a traceback."""
    try:
        yield
    except OSError as exc:
        raise UsageError(f"{what}: {exc.strerror or exc}") from None


def stored_results(job: Job, home: Home, command: str = "results") -> dict[str, Any]:
    """A job's results. A job the user named that has none is refused for its state or kind (exit 6), with
    what to do instead (``hornq COMMAND ID --partial`` when it has partial results): "unknown" (exit 4)
    would send them looking for a mistyped id."""
    from engine.run.partial import partial_results, solved_line
    from engine.solvers import plugin_modules
    from engine.store import jobs
    from engine.store.lifecycle import ACTIVE, Status

    if job.has_results:
        return jobs.results(job.id)
    short = jobs.short_id(job.id)
    partial = partial_results(home, job)
    kept = "" if partial is None else f"; {solved_line(partial)} solved (hornq {command} {short} --partial)"
    if job.status in ACTIVE:
        follow = kept or f" (hornq log -f {short})"
        raise Conflict(f"job {short} is {job.status}: it has results once it completes{follow}")
    if job.status == Status.ERROR:
        why = kept or f" (hornq status {short} says why)"
        raise Conflict(f"job {short} ended in error without complete results{why}")
    if job.status == Status.CANCELLED:
        raise Conflict(f"job {short} was cancelled before it had complete results{kept}")
    if job.kind not in plugin_modules():
        raise Conflict(f"job {short} is a {job.kind} job: it keeps no results, only its output (hornq log {short})")
    raise Conflict(f"job {short} is complete but has no stored results")


def solved_so_far(job: Job, home: Home) -> dict[str, Any]:
    """``--partial``: the frequencies solved so far (a complete job's results are all of them); refused with
    exit 6 while none are."""
    from engine.run.partial import partial_results
    from engine.store import jobs

    if job.has_results:
        return jobs.results(job.id)
    partial = partial_results(home, job)
    if partial is None:
        raise Conflict(f"job {jobs.short_id(job.id)} is {job.status} with no frequency solved")
    return partial


def cmd_results(args: argparse.Namespace) -> int:
    from engine.store import jobs

    home = open_home(args)
    job = jobs.resolve(args.id)
    print_json(solved_so_far(job, home) if args.partial else stored_results(job, home))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Partial results are exported only when asked for (``--partial``), under names that say so."""
    from engine.run.partial import solved_line
    from engine.solvers import entry
    from engine.store import jobs

    home = open_home(args)
    job = jobs.resolve(args.id)
    export = entry(job.kind, "export_results")
    if export is None or args.format not in entry(job.kind, "EXPORT_FORMATS"):
        raise Conflict(
            f"job {jobs.short_id(job.id)} is a {job.kind} job: its results cannot be exported as {args.format}"
        )
    results = solved_so_far(job, home) if args.partial else stored_results(job, home, "export")
    name = args.name or jobs.export_name(job)
    partial = "partial" in results
    with refused_on_os_error(f"cannot write into {args.out}"):
        written = export(results, args.out, args.format, f"{name}-partial" if partial else name)
    kept = f" (partial results: {solved_line(results)})" if partial else ""
    note(f"wrote {len(written)} file(s) into {args.out}{kept}")
    return 0


def cmd_mesh(args: argparse.Namespace) -> int:
    from engine.solvers import entry
    from engine.store import jobs

    open_home(args)
    job = jobs.resolve(args.id)
    name = args.artifact or entry(job.kind, "MESH_ARTIFACT")
    if name is None:
        raise Conflict(f"job {jobs.short_id(job.id)} has no mesh artifact (a {job.kind} job solves no mesh)")
    content = jobs.artifact(job.id, name)
    with refused_on_os_error(f"cannot write {args.output}"):
        args.output.write_text(content, encoding="utf-8")
    note(f"wrote {args.output}")
    return 0


def cmd_export_history(args: argparse.Namespace) -> int:
    from engine.store.history_export import export_history

    open_home(args)
    counts = export_history(args.file, include_results=args.results)
    parts = [f"{counts['jobs']} job(s)"]
    if counts["optimizations"]:
        parts.append(f"{counts['optimizations']} optimisation(s)")
    if counts["measurements"]:
        parts.append(f"{counts['measurements']} measurement(s)")
    note(f"wrote {', '.join(parts)} to {args.file}")
    return 0


def cmd_import_history(args: argparse.Namespace) -> int:
    from engine.store.history_import import import_history

    open_home(args)
    report = import_history(args.file)
    if args.json:
        print_json(report.as_json())
        return 0
    line = f"imported {len(report.imported)} job(s)"
    if report.renamed:
        line += f" ({report.renamed} under new ids: theirs were taken here)"
    if report.present:
        line += f"; {len(report.present)} already here"
    if report.active:
        line += f"; {len(report.active)} queued or running skipped"
    if report.optimizations:
        line += f"; {len(report.optimizations)} optimisation(s) with their trials"
    if report.measurements:
        renamed = sum(source != name for source, name in report.measurements.items())
        line += f"; {len(report.measurements)} measurement(s)"
        if renamed:
            line += f" ({renamed} under new names: theirs were taken here)"
    if report.measurements_present:
        line += f"; {len(report.measurements_present)} measurement(s) already here"
    print(line)
    return 0
