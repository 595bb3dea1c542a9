"""Commands on jobs: queue them, list them, follow them, stop, re-run, delete and label them."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.cli.common import (
    Commands,
    add_no_start,
    for_each,
    maybe_start_engine,
    note,
    note_estimate,
    open_home,
    print_json,
    quietly,
)
from engine.errors import NotFound, UsageError
from engine.text import one_line
from engine.timing import duration

if TYPE_CHECKING:
    from engine.store.models import Job

EXECUTOR_HELP = "where the job runs (default: the config's [executor], else the default_executor setting)"


def register(commands: Commands) -> None:
    from engine.cli.studies import add_submit_options

    cmd = commands.add(
        "submit",
        "queue a job from a config file: TOML (its `kind` picks the solver), or an ATH config",
        cmd_submit,
        json=True,
    )
    cmd.add_argument("file", type=Path)
    cmd.add_argument("--label", help="a short name shown in lists")
    add_no_start(cmd)
    cmd.add_argument("--executor", choices=("local", "slurm"), help=EXECUTOR_HELP)
    add_submit_options(cmd)

    cmd = commands.add("run", "queue an external program: hornq run [options] -- PROGRAM ARG...", cmd_run, json=True)
    cmd.add_argument("--label", help="a short name shown in lists")
    cmd.add_argument("--cwd", type=Path, help="working directory (default: the current one)")
    add_no_start(cmd)
    cmd.add_argument("--executor", choices=("local", "slurm"), help=EXECUTOR_HELP)
    cmd.add_argument("argv", nargs=argparse.REMAINDER, help="the program and its arguments, after --")

    cmd = commands.add("jobs", "list jobs, newest first", cmd_jobs, json=True)
    cmd.add_argument("--status", help="comma-separated statuses: queued,running,complete,error,cancelled")
    cmd.add_argument("--limit", type=int, default=50, help="at most this many (1-200, default 50)")
    cmd.add_argument("--offset", type=int, default=0, help="skip this many")

    cmd = commands.add("status", "show a job's status", cmd_status, json=True)
    cmd.add_argument("id")

    cmd = commands.add(
        "stop",
        "cancel jobs: queued ones at once, running ones after they stop",
        cmd_stop,
        json=True,
        aliases=("cancel",),
    )
    cmd.add_argument("ids", nargs="+", metavar="ID")

    cmd = commands.add("rerun", "queue finished jobs again with the same config and label", cmd_rerun, json=True)
    cmd.add_argument("ids", nargs="+", metavar="ID")
    add_no_start(cmd)

    cmd = commands.add("delete", "delete finished jobs with their results and logs", cmd_delete, json=True)
    cmd.add_argument("ids", nargs="+", metavar="ID")

    cmd = commands.add("label", "set a job's label (an empty TEXT clears it)", cmd_label, json=True)
    cmd.add_argument("id")
    cmd.add_argument("text")

    cmd = commands.add("log", "print a job's log (without an ID: the newest running job's)", cmd_log)
    cmd.add_argument("id", nargs="?")
    cmd.add_argument("-f", "--follow", action="store_true", help="keep printing until the job ends")

    cmd = commands.add("history", "show a job's status transitions", cmd_history, json=True)
    cmd.add_argument("id")

    cmd = commands.add("prune", "delete finished jobs beyond the retention settings", cmd_prune, json=True)
    cmd.add_argument("--dry-run", action="store_true", help="only list what would be deleted")


def submitted(job: Any, args: argparse.Namespace, estimate: dict[str, Any] | None = None) -> int:
    """The id on stdout (scripts capture it); a solver job's estimate after it, on stderr or in the JSON."""
    if args.json:
        print_json({"id": job.id, "status": job.status, **({"estimate": estimate} if estimate else {})})
    else:
        print(job.id)
        if estimate:
            from engine.store.estimates import summary_lines

            sys.stdout.flush()  # the id first, also where stdout and stderr share a terminal or a file

            for line in summary_lines(estimate):
                note(line)
    return 0


def cmd_submit(args: argparse.Namespace) -> int:
    from engine.config.job import load_config_file
    from engine.store.studies import draft_file

    study = draft_file(args.file, vary=args.vary, name=args.study_name, label=args.label, confirmed=args.yes)
    if study is not None:
        from engine.cli.studies import submit_study

        code = submit_study(args, study)
        if not args.json:
            from engine.store.estimates import study_estimate

            note_estimate(lambda: study_estimate(study.name, study.points))
        return code
    spec = load_config_file(args.file, label=args.label, executor=args.executor)
    home = open_home(args)
    from engine.store import jobs

    job = jobs.submit(spec)
    maybe_start_engine(home, args)
    from engine.store.estimates import estimate_spec

    return submitted(job, args, quietly(lambda: estimate_spec(spec)))


def cmd_run(args: argparse.Namespace) -> int:
    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not argv:
        raise UsageError("hornq run: give the program after --, e.g. hornq run -- ./solve.sh case1")
    from engine.config.job import parse_config

    section: dict[str, Any] = {"argv": argv}
    if args.cwd is not None:
        section["cwd"] = str(args.cwd)
    spec = parse_config({"kind": "command", "command": section}, Path.cwd(), label=args.label, executor=args.executor)
    home = open_home(args)
    from engine.store import jobs

    job = jobs.submit(spec)
    maybe_start_engine(home, args)
    return submitted(job, args)


def cmd_jobs(args: argparse.Namespace) -> int:
    from engine.store import jobs

    statuses = [s.strip() for s in args.status.split(",") if s.strip()] if args.status else None
    if not 1 <= args.limit <= jobs.LIMIT_MAX:
        raise UsageError(f"--limit must be between 1 and {jobs.LIMIT_MAX} (got {args.limit})")
    home = open_home(args)
    items, total = jobs.list_jobs(statuses, args.limit, args.offset)
    if args.json:
        from engine.run.partial import partial_markers

        markers = partial_markers(home, items)
        listed = [{**jobs.job_json(j), "partial": markers.get(j.id)} for j in items]
        print_json({"items": listed, "total": total, "limit": args.limit, "offset": args.offset})
        return 0
    from engine.cli.table import jobs_table

    print(jobs_table(items, total, args.offset))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from engine.store import jobs

    open_home(args)
    job = jobs.resolve(args.id)
    data = jobs.status_json(job)
    if args.json:
        print_json(data)
        return 0
    line = f"{job.id}  {job.status}  {job.progress:.0%}"
    if job.stage and job.status == "running":  # an ended job's last stage says nothing of it
        line += f"  [{job.stage}]"
    if data["message"]:
        line += f"  {data['message']}"
    print(line)
    if data["elapsed_s"] is not None:
        times = f"elapsed {duration(data['elapsed_s'])}"
        if data["eta_s"] is not None:
            times += f", about {duration(data['eta_s'])} left"
        print(times)
    if job.has_results:
        from engine.solvers import entry

        describe = entry(job.kind, "solved_with")
        how = describe(jobs.results(job.id)) if describe else None
        if how:
            print(f"solved with {how}")
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    from engine.store import jobs

    open_home(args)

    def stop(job: Any) -> dict[str, Any]:
        outcome = jobs.request_stop(job.id)
        if not args.json:
            verb = "cancelled" if outcome.outcome == "cancelled" else "stopping (cancel requested)"
            print(f"{jobs.short_id(job.id)} {verb}")
        return {"job_id": job.id, "outcome": outcome.outcome}

    return for_each(args, stop)


def cmd_rerun(args: argparse.Namespace) -> int:
    from engine.store import jobs

    home = open_home(args)

    def rerun(job: Any) -> dict[str, Any]:
        new = jobs.rerun(job.id)
        if not args.json:
            print(new.id)
        return {"job_id": job.id, "new_job_id": new.id}

    code = for_each(args, rerun)
    maybe_start_engine(home, args)
    return code


def cmd_delete(args: argparse.Namespace) -> int:
    from engine.store import jobs

    home = open_home(args)

    def delete(job: Any) -> dict[str, Any]:
        jobs.delete(job.id, home)
        if not args.json:
            print(f"{jobs.short_id(job.id)} deleted")
        return {"deleted": True, "job_id": job.id}

    return for_each(args, delete)


def cmd_label(args: argparse.Namespace) -> int:
    from engine.store import jobs

    open_home(args)
    job = jobs.resolve(args.id)
    label = jobs.set_label(job.id, args.text)
    if args.json:
        print_json({"job_id": job.id, "label": label})
    return 0


def cmd_log(args: argparse.Namespace) -> int:
    from engine.store import jobs
    from engine.store.lifecycle import TERMINAL

    home = open_home(args)
    job = jobs.resolve(args.id) if args.id else newest_running()
    path = home.job_log(job.id)
    position = 0
    out = sys.stdout.buffer
    while True:
        finished = jobs.get(job.id).status in TERMINAL
        if path.exists():
            with open(path, "rb") as log:
                log.seek(position)
                chunk = log.read()
            position += len(chunk)
            out.write(chunk)
            out.flush()
        if not args.follow or finished:
            return 0
        time.sleep(0.25)


def newest_running() -> Job:
    """The job ``hornq log`` shows when given no id; which one it is goes to stderr, so stdout stays the log."""
    from engine.store import jobs
    from engine.store.lifecycle import Status

    items, total = jobs.list_jobs([Status.RUNNING], limit=1)
    if not items:
        raise NotFound("no job is running; give a job id (hornq jobs lists them)")
    job = items[0]
    more = f"; {total - 1} more running" if total > 1 else ""
    note(f"log of {jobs.short_id(job.id)} ({one_line(job.label or job.kind, 40)}), the newest running job{more}")
    return job


def cmd_history(args: argparse.Namespace) -> int:
    from engine.store import jobs

    open_home(args)
    job = jobs.resolve(args.id)
    events = jobs.transitions(job.id)
    if args.json:
        print_json({"job_id": job.id, "events": events})
        return 0
    for e in events:
        move = f"{e['from'] or '-'} → {e['to']}"
        print(f"{e['at']}  {move:<22} {e['source']:<9} {e['message'] or ''}".rstrip())
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    from engine.store import retention

    home = open_home(args)
    ids = retention.prune(home, dry_run=args.dry_run)
    if args.json:
        print_json({"dry_run": args.dry_run, "job_ids": ids, "count": len(ids)})
    else:
        print(f"{'would delete' if args.dry_run else 'deleted'} {len(ids)} job(s)")
    return 0
