"""The command line of design studies: queue a sweep, follow and act on a study, compare jobs by their metrics.

Like every queue command these load only the standard library and peewee (metrics are pure Python), so they
stay fast in scripts.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
from typing import Any

from engine.cli.common import Commands, add_no_start, maybe_start_engine, note, open_home, print_json
from engine.config.sweeps import CONFIRM_ABOVE
from engine.errors import Conflict, UsageError


def register(commands: Commands) -> None:
    """Add the study, compare and metrics commands to hornq's parser."""
    commands.add("studies", "list design studies with their progress (newest first)", cmd_studies, json=True)

    cmd = commands.add("study", "show a study's points, or stop / re-run all of its jobs", cmd_study, json=True)
    cmd.add_argument(
        "action",
        choices=("show", "stop", "rerun"),
        help="show: points and progress; stop: cancel its jobs; rerun: queue failed points again",
    )
    cmd.add_argument("study", help="study name, or id (prefix)")
    cmd.add_argument("--all", action="store_true", help="with rerun: every finished point, not only failed ones")
    add_no_start(cmd)

    cmd = commands.add(
        "compare",
        "compare jobs' metrics side by side (jobs and/or a whole study), and with measurements",
        cmd_compare,
        json=True,
    )
    cmd.add_argument("ids", nargs="*", metavar="ID")
    cmd.add_argument("--study", help="add every point of this study (name or id)")
    cmd.add_argument(
        "--measurement",
        action="append",
        default=[],
        metavar="NAME",
        help="add a measurement (hornq measurement add): its metrics, and each job's on-axis deviation from it; repeat",
    )
    cmd.add_argument("--sort", metavar="KEY", help="sort by a metric, lowest first (jobs without it last)")
    cmd.add_argument("--descending", action="store_true", help="with --sort: highest first")
    cmd.add_argument("--metrics", metavar="KEYS", help="comma-separated metric keys to show (text output)")
    cmd.add_argument("--band", metavar="LO:HI", help="band in Hz for means, spreads and deviation (1000:10000)")
    cmd.add_argument("--ripple-above", type=float, metavar="HZ", help="impedance ripple from this frequency (1000)")
    cmd.add_argument(
        "--tolerance",
        type=float,
        metavar="F",
        help="beamwidth tolerance around the coverage angle, as a fraction (0.15)",
    )

    cmd = commands.add("metrics", "show a job's metrics, or compute missing ones for every job", cmd_metrics, json=True)
    cmd.add_argument("id", nargs="?")
    cmd.add_argument("--backfill", action="store_true", help="compute metrics for every job lacking them")


def add_submit_options(cmd: Any) -> None:
    """``--vary``, ``--study-name`` and ``--yes`` on ``hornq submit``."""
    cmd.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="NAME=VALUES",
        help="queue a study: one job per value (a=40:60:5, R=100,130); repeat to vary more",
    )
    cmd.add_argument("--study-name", help="name of the study (default: [study] name, the label or the file name)")
    cmd.add_argument("--yes", action="store_true", help=f"queue a study of more than {CONFIRM_ABOVE} jobs")


def submit_study(args: argparse.Namespace, draft: Any) -> int:
    """Queue a validated study; prints its job ids (one per line) and names the study on stderr."""
    from engine.store import studies

    home = open_home(args)
    study, queued = studies.queue(draft)
    maybe_start_engine(home, args)
    if args.json:
        print_json(
            {
                "study": {"id": study.id, "name": study.name},
                "jobs": [
                    {"id": job.id, "status": job.status, "values": values}
                    for job, (values, _) in zip(queued, draft.points, strict=True)
                ],
            }
        )
        return 0
    note(f"queued study {study.name!r} ({study.id[:8]}): {len(queued)} job(s)")
    for job in queued:
        print(job.id)
    return 0


def cmd_studies(args: argparse.Namespace) -> int:
    from engine.store import studies

    open_home(args)
    found = studies.list_studies()
    if args.json:
        print_json({"items": [s.as_json() for s in found]})
        return 0
    if not found:
        print("no studies")
    for summary in found:
        varied = ", ".join(p["name"] for p in summary.parameters)
        if summary.optimization is not None:
            from engine.cli.optimize import progress_line

            print(f"{summary.id[:8]}  {summary.name}  [{varied}]  {progress_line(summary.optimization)}")
            continue
        failed = summary.counts["error"] + summary.counts["cancelled"]
        extra = f", {failed} failed or cancelled" if failed else ""
        print(f"{summary.id[:8]}  {summary.name}  [{varied}]  {summary.done}/{summary.points} done{extra}")
    return 0


def cmd_study(args: argparse.Namespace) -> int:
    from engine.store import jobs, studies

    home = open_home(args)
    study = studies.resolve(args.study)
    if args.action == "stop":
        outcomes = studies.stop(study.id)
        if args.json:
            print_json({"study_id": study.id, "jobs": [{"job_id": o.job_id, "outcome": o.outcome} for o in outcomes]})
        else:
            print(f"{len(outcomes)} job(s) of {study.name!r} cancelled or stopping")
        return 0
    if args.action == "rerun":
        new = studies.rerun(study.id, every=args.all)
        maybe_start_engine(home, args)
        if args.json:
            print_json({"study_id": study.id, "new_job_ids": [job.id for job in new]})
        else:
            note(f"queued {len(new)} point(s) of {study.name!r} again")
            for job in new:
                print(job.id)
        return 0
    summary = studies.summarize(study, history=True)
    points = studies.latest(study.id)
    if args.json:
        print_json(
            {
                **summary.as_json(),
                "jobs": [
                    {**jobs.job_json(job), "study_values": json.loads(job.study_values_json or "null")}
                    for job in points
                ],
            }
        )
        return 0
    if summary.optimization is not None:
        from engine.cli.optimize import show_lines

        print("\n".join(show_lines(study, summary.optimization)))
        return 0
    print(f"{study.name} ({study.id[:8]}, {study.mode}): {summary.done}/{summary.points} done")
    for job in points:
        print(f"  {job.id[:8]}  {job.status:<9}  {job.progress:4.0%}  {job.label or ''}")
    return 0


def _settings(args: argparse.Namespace, metric_set: Any) -> Any:
    """The metric settings asked for on the command line, over the metric set's defaults."""
    defaults = metric_set.DEFAULTS
    band = defaults.band_hz
    if args.band:
        low, sep, high = args.band.partition(":")
        try:
            band = (float(low), float(high)) if sep else ()
        except ValueError:
            band = ()
        if len(band) != 2 or not (0 < band[0] < band[1] and math.isfinite(band[1])):
            raise UsageError(f"--band {args.band!r}: give LO:HI in Hz with LO < HI, e.g. 1000:10000")
    ripple = defaults.ripple_above_hz if args.ripple_above is None else args.ripple_above
    tolerance = defaults.tolerance if args.tolerance is None else args.tolerance
    if not (ripple > 0 and math.isfinite(ripple)):
        raise UsageError("--ripple-above must be a positive frequency in Hz")
    if not 0 < tolerance < 1:
        raise UsageError("--tolerance must be a fraction between 0 and 1, e.g. 0.15")
    return dataclasses.replace(defaults, band_hz=band, ripple_above_hz=ripple, tolerance=tolerance)


def cmd_compare(args: argparse.Namespace) -> int:
    from engine.store import compare, jobs, studies

    if not args.ids and not args.study and not args.measurement:
        raise UsageError("hornq compare: give job ids, --study NAME, --measurement NAME, or several")
    open_home(args)
    study = studies.resolve(args.study) if args.study else None
    chosen = compare.select_jobs([jobs.resolve(prefix).id for prefix in args.ids], study)
    measured = compare.select_measurements(args.measurement)
    metric_set = compare.metric_set_of(chosen, measured)
    settings = _settings(args, metric_set)
    columns = [key.strip() for key in args.metrics.split(",")] if args.metrics else list(metric_set.COLUMNS)
    for key in [*columns, *([args.sort] if args.sort else [])]:
        if key not in metric_set.BY_KEY:
            raise UsageError(f"unknown metric {key!r}; metrics are: {', '.join(metric_set.BY_KEY)}")
    document = compare.compare(chosen, metric_set, study=study, settings=settings, measurements=measured)
    if args.sort:
        document["jobs"] = compare.sort_rows(document["jobs"], args.sort, descending=args.descending)
    if args.json:
        print_json(document)
        return 0
    print(_table(document, columns, metric_set))
    return 0


def _table(document: dict[str, Any], columns: list[str], metric_set: Any) -> str:
    """Rows of jobs, then of measurements, a column per metric (title, then unit) and one per measurement (the
    jobs' on-axis deviation from it); ``*`` marks the best values of a column."""
    from engine.config.sweeps import label_for
    from engine.store.compare import format_value

    by_key = metric_set.BY_KEY
    measured = [m["name"] for m in document["measurements"]] if document["jobs"] else []
    header = ["ID", "JOB", *(by_key[key].title for key in columns), *(f"Δ {name[:12]}" for name in measured)]
    units = ["", "", *(by_key[key].unit for key in columns), *("dB" for _ in measured)]
    rows = [header, units]
    closest = {name: _lowest(job["deviation_db"].get(name) for job in document["jobs"]) for name in measured}
    for job in document["jobs"]:
        name = label_for(job["study_values"]) if job["study_values"] else (job["label"] or "")
        values = job["metrics"] or {}
        cells = [
            format_value(by_key[key], values.get(key)) + ("*" if job["id"] in document["best"].get(key, []) else "")
            for key in columns
        ]
        for measurement in measured:
            value = job["deviation_db"].get(measurement)
            cells.append("–" if value is None else f"{value:.1f}" + ("*" if value == closest[measurement] else ""))
        rows.append([job["id"][:8], name[:30] if job["metrics"] else f"{name[:20]} ({job['status']})", *cells])
    for measurement in document["measurements"]:
        values = measurement["metrics"] or {}
        cells = [format_value(by_key[key], values.get(key)) for key in columns] + ["–" for _ in measured]
        rows.append(["measured", measurement["name"][:30], *cells])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    band = document["settings"]["band_hz"]
    lines.append(f"band {band[0]:g}–{band[1]:g} Hz; * best; lower is better for spread, deviation, ripple, control")
    if measured:
        lines.append("Δ: rms on-axis deviation from the measurement over the band, mean level difference removed")
    return "\n".join(line.rstrip() for line in lines)


def _lowest(values: Any) -> float | None:
    present = [value for value in values if value is not None]
    return min(present) if present else None


def cmd_metrics(args: argparse.Namespace) -> int:
    from engine.store import jobs
    from engine.store import metrics as metricstore

    open_home(args)
    if args.backfill:
        count = metricstore.backfill()
        if args.json:
            print_json({"computed": count})
        else:
            print(f"computed metrics for {count} job(s)")
        return 0
    if not args.id:
        raise UsageError("hornq metrics: give a job id, or --backfill")
    job = jobs.resolve(args.id)
    found = metricstore.ensure([job.id]).get(job.id)
    if found is None:
        raise Conflict(f"job {jobs.short_id(job.id)} has no {job.kind} results, so no metrics")
    if args.json:
        print_json({"job_id": job.id, **found})
        return 0
    from engine.solvers import metric_set
    from engine.store.compare import format_value

    by_key = metric_set(job.kind).BY_KEY
    for key, value in found["values"].items():
        metric = by_key[key]
        print(f"{metric.title:<14} {format_value(metric, value):>8} {metric.unit}".rstrip())
    return 0
