"""The ``hornq`` command line: headless access to everything, with ``--json`` on every read.

Kept light on purpose: only the standard library and peewee load for queue commands, so scripts
that call hornq in a loop stay fast. Heavy modules are imported by the commands that need them.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine import __version__
from engine.errors import EXIT_CODES, HornqError, UsageError

EPILOG = "exit codes:\n" + "\n".join(f"  {code}  {text}" for code, text in EXIT_CODES.items())


def _formatter(prog: str) -> argparse.HelpFormatter:
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
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> Parser:
    parser = Parser(prog="hornq", description="Queue and run horn BEM simulations and other jobs.",
                    epilog=EPILOG, formatter_class=_formatter)
    parser.add_argument("--home", help="state directory (default: $HORNQ_HOME or the user data dir)")
    parser.add_argument("--version", action="version", version=f"hornq {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def command(name: str, help_text: str, handler: Callable[[argparse.Namespace], int],
                aliases: tuple[str, ...] = ()) -> Parser:
        cmd = sub.add_parser(name, help=help_text, description=help_text, aliases=list(aliases),
                             epilog=EPILOG, formatter_class=_formatter)
        cmd.set_defaults(handler=handler)
        return cmd

    def with_json(cmd: Parser) -> Parser:
        cmd.add_argument("--json", action="store_true", help="machine-readable output")
        return cmd

    cmd = with_json(command("submit", "queue a job from a TOML config file (its `kind` picks the solver)", cmd_submit))
    cmd.add_argument("file", type=Path)
    cmd.add_argument("--label", help="a short name shown in lists")
    cmd.add_argument("--no-start", action="store_true", help="do not start a background engine")
    cmd.add_argument("--executor", choices=("local", "slurm"),
                     help="where the job runs (default: the config's [executor], else the default_executor setting)")
    from engine.cli import studies as cli_studies

    cli_studies.add_submit_options(cmd)

    cmd = with_json(command("run", "queue an external program: hornq run [options] -- PROGRAM ARG...", cmd_run))
    cmd.add_argument("--label", help="a short name shown in lists")
    cmd.add_argument("--cwd", type=Path, help="working directory (default: the current one)")
    cmd.add_argument("--no-start", action="store_true", help="do not start a background engine")
    cmd.add_argument("--executor", choices=("local", "slurm"),
                     help="where the job runs (default: the config's [executor], else the default_executor setting)")
    cmd.add_argument("argv", nargs=argparse.REMAINDER, help="the program and its arguments, after --")

    cmd = with_json(command("jobs", "list jobs, newest first", cmd_jobs))
    cmd.add_argument("--status", help="comma-separated statuses: queued,running,complete,error,cancelled")
    cmd.add_argument("--limit", type=int, default=50, help="at most this many (1-200, default 50)")
    cmd.add_argument("--offset", type=int, default=0, help="skip this many")

    cmd = with_json(command("status", "show a job's status", cmd_status))
    cmd.add_argument("id")

    cmd = with_json(command("stop", "cancel jobs: queued ones at once, running ones after they stop", cmd_stop,
                            aliases=("cancel",)))
    cmd.add_argument("ids", nargs="+", metavar="ID")

    cmd = with_json(command("rerun", "queue finished jobs again with the same config and label", cmd_rerun))
    cmd.add_argument("ids", nargs="+", metavar="ID")
    cmd.add_argument("--no-start", action="store_true", help="do not start a background engine")

    cmd = with_json(command("delete", "delete finished jobs with their results and logs", cmd_delete))
    cmd.add_argument("ids", nargs="+", metavar="ID")

    cmd = with_json(command("label", "set a job's label (an empty TEXT clears it)", cmd_label))
    cmd.add_argument("id")
    cmd.add_argument("text")

    cmd = command("log", "print a job's log", cmd_log)
    cmd.add_argument("id")
    cmd.add_argument("-f", "--follow", action="store_true", help="keep printing until the job ends")

    cmd = with_json(command("results", "print a job's results (JSON)", cmd_results))
    cmd.add_argument("id")

    cmd = command("export", "write a horn job's results as FRD, CSV or JSON files into a directory", cmd_export)
    cmd.add_argument("id")
    cmd.add_argument("--format", choices=("frd", "csv", "json"), default="frd", help="file format (default frd)")
    cmd.add_argument("--out", type=Path, required=True, help="directory to write into (created if needed)")
    cmd.add_argument("--name", help="base file name (default: the label, or the short id)")

    cmd = command("mesh", "write a job's mesh artifact (.msh)", cmd_mesh)
    cmd.add_argument("id")
    cmd.add_argument("-o", "--output", type=Path, required=True, help="file to write")

    cmd = with_json(command("history", "show a job's status transitions", cmd_history))
    cmd.add_argument("id")

    cmd = command("export-history", "write every job's config, summary, history, study and metrics to a JSON file",
                  cmd_export_history)
    cmd.add_argument("file", type=Path)
    cmd.add_argument("--results", action="store_true", help="include results")
    cli_studies.register(command, with_json)

    cmd = with_json(command("prune", "delete finished jobs beyond the retention settings", cmd_prune))
    cmd.add_argument("--dry-run", action="store_true", help="only list what would be deleted")

    config = command("config", "show or change settings, or print an example job config", cmd_config_help)
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", parser_class=Parser)
    cmd = config_sub.add_parser("get", help="show settings", epilog=EPILOG, formatter_class=_formatter)
    cmd.set_defaults(handler=cmd_config_get)
    cmd.add_argument("key", nargs="?")
    cmd.add_argument("--json", action="store_true", help="machine-readable output")
    cmd = config_sub.add_parser("set", help="change a setting", epilog=EPILOG, formatter_class=_formatter)
    cmd.set_defaults(handler=cmd_config_set)
    cmd.add_argument("key")
    cmd.add_argument("value")
    cmd = config_sub.add_parser("example", help="print a commented example job config",
                                epilog=EPILOG, formatter_class=_formatter)
    cmd.set_defaults(handler=cmd_config_example)
    cmd.add_argument("kind")

    cmd = with_json(command("engine", "run the engine in the foreground, or start/stop/status a background one",
                            cmd_engine))
    cmd.add_argument("action", nargs="?", choices=("start", "stop", "status"),
                     help="start: in the background; stop: gracefully; status: pid, uptime, counts")
    cmd.add_argument("--until-idle", action="store_true", help="exit once nothing is queued or running")
    cmd.add_argument("--drain", action="store_true", help="with stop: let running jobs finish first")
    cmd.add_argument("--timeout", type=float, default=60.0, help="with stop: seconds to wait (default 60)")
    cmd.add_argument("--background", action="store_true", help=argparse.SUPPRESS)
    return parser


# ---------------------------------------------------------------- helpers


def _open(args: argparse.Namespace):
    from engine.paths import Home, resolve_home
    from engine.store.db import open_database

    home = Home(resolve_home(args.home))
    open_database(home)
    return home


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2)
    sys.stdout.write("\n")


def _note(text: str) -> None:
    print(text, file=sys.stderr)


def _maybe_start_engine(home: Any, args: argparse.Namespace) -> None:
    if args.no_start:
        return
    from engine.run.daemon import ensure_running

    pid = ensure_running(home)
    if pid is not None:
        _note(f"started the engine in the background (pid {pid}); `hornq engine stop` stops it")


def _submitted(job: Any, args: argparse.Namespace) -> int:
    if args.json:
        _print_json({"id": job.id, "status": job.status})
    else:
        print(job.id)
    return 0


# ---------------------------------------------------------------- commands


def cmd_submit(args: argparse.Namespace) -> int:
    from engine.config.job import load_config_file
    from engine.store.studies import draft_file

    study = draft_file(args.file, vary=args.vary, name=args.study_name, label=args.label, confirmed=args.yes)
    if study is not None:
        from engine.cli.studies import submit_study

        return submit_study(args, study)
    spec = load_config_file(args.file, label=args.label, executor=args.executor)
    home = _open(args)
    from engine.store import jobs

    job = jobs.submit(spec)
    _maybe_start_engine(home, args)
    return _submitted(job, args)


def cmd_run(args: argparse.Namespace) -> int:
    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not argv:
        raise UsageError("hornq run: give the program after --, e.g. hornq run -- ./solve.sh case1")
    from engine.config.job import parse_config

    section: dict[str, Any] = {"argv": argv}
    if args.cwd is not None:
        section["cwd"] = str(args.cwd)
    spec = parse_config({"kind": "command", "command": section}, Path.cwd(), label=args.label,
                        executor=args.executor)
    home = _open(args)
    from engine.store import jobs

    job = jobs.submit(spec)
    _maybe_start_engine(home, args)
    return _submitted(job, args)


def cmd_jobs(args: argparse.Namespace) -> int:
    from engine.store import jobs

    statuses = [s.strip() for s in args.status.split(",") if s.strip()] if args.status else None
    if not 1 <= args.limit <= jobs.LIMIT_MAX:
        raise UsageError(f"--limit must be between 1 and {jobs.LIMIT_MAX} (got {args.limit})")
    _open(args)
    items, total = jobs.list_jobs(statuses, args.limit, args.offset)
    if args.json:
        _print_json({"items": [jobs.job_json(j) for j in items], "total": total,
                     "limit": args.limit, "offset": args.offset})
        return 0
    from engine.cli.table import jobs_table

    print(jobs_table(items, total, args.offset))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from engine.store import jobs

    _open(args)
    job = jobs.resolve(args.id)
    data = jobs.status_json(job)
    if args.json:
        _print_json(data)
        return 0
    line = f"{job.id}  {job.status}  {job.progress:.0%}"
    if job.stage:
        line += f"  [{job.stage}]"
    if data["message"]:
        line += f"  {data['message']}"
    print(line)
    return 0


def _each(args: argparse.Namespace, act: Callable[[Any], dict[str, Any]]) -> int:
    """Apply an action to several ids; report each, fail with the first error's code.

    Every id is resolved before anything is done, so a mistyped id changes nothing; a job whose
    state refuses the action (e.g. already finished) does not stop the others.
    """
    from engine.store import jobs

    resolved, failed = [], None
    for prefix in args.ids:
        try:
            resolved.append(jobs.resolve(prefix))
        except HornqError as exc:
            failed = failed or exc
            _note(f"hornq: {exc}")
    if failed:
        return failed.exit_code
    outcomes = []
    for job in resolved:
        try:
            outcomes.append(act(job))
        except HornqError as exc:
            failed = failed or exc
            outcomes.append({"job_id": job.id, "error": str(exc)})
            _note(f"hornq: {exc}")
    if args.json:
        _print_json(outcomes[0] if len(outcomes) == 1 and failed is None else outcomes)
    return failed.exit_code if failed else 0


def cmd_stop(args: argparse.Namespace) -> int:
    from engine.store import jobs

    _open(args)

    def stop(job: Any) -> dict[str, Any]:
        outcome = jobs.request_stop(job.id)
        if not args.json:
            verb = "cancelled" if outcome.outcome == "cancelled" else "stopping (cancel requested)"
            print(f"{jobs.short_id(job.id)} {verb}")
        return {"job_id": job.id, "outcome": outcome.outcome}

    return _each(args, stop)


def cmd_rerun(args: argparse.Namespace) -> int:
    from engine.store import jobs

    home = _open(args)

    def rerun(job: Any) -> dict[str, Any]:
        new = jobs.rerun(job.id)
        if not args.json:
            print(new.id)
        return {"job_id": job.id, "new_job_id": new.id}

    code = _each(args, rerun)
    _maybe_start_engine(home, args)
    return code


def cmd_delete(args: argparse.Namespace) -> int:
    from engine.store import jobs

    home = _open(args)

    def delete(job: Any) -> dict[str, Any]:
        jobs.delete(job.id, home)
        if not args.json:
            print(f"{jobs.short_id(job.id)} deleted")
        return {"deleted": True, "job_id": job.id}

    return _each(args, delete)


def cmd_label(args: argparse.Namespace) -> int:
    from engine.store import jobs

    _open(args)
    job = jobs.resolve(args.id)
    label = jobs.set_label(job.id, args.text)
    if args.json:
        _print_json({"job_id": job.id, "label": label})
    return 0


def cmd_log(args: argparse.Namespace) -> int:
    from engine.store import jobs
    from engine.store.lifecycle import TERMINAL

    home = _open(args)
    job = jobs.resolve(args.id)
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


def cmd_results(args: argparse.Namespace) -> int:
    from engine.store import jobs

    _open(args)
    job = jobs.resolve(args.id)
    _print_json(jobs.results(job.id))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from engine.store import jobs

    _open(args)
    job = jobs.resolve(args.id)
    results = jobs.results(job.id)
    if "frequencies_hz" not in results:
        raise UsageError(f"job {jobs.short_id(job.id)} is a {job.kind} job: only horn results can be exported")
    from engine.solvers.horn.export import export_results

    name = args.name or jobs.export_name(job)
    try:
        written = export_results(results, args.out, args.format, name)
    except OSError as exc:
        raise UsageError(f"cannot write into {args.out}: {exc.strerror or exc}") from None
    _note(f"wrote {len(written)} file(s) into {args.out}")
    return 0


def cmd_mesh(args: argparse.Namespace) -> int:
    from engine.store import jobs

    _open(args)
    job = jobs.resolve(args.id)
    content = jobs.artifact(job.id, "mesh.msh")
    try:
        args.output.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror}") from None
    _note(f"wrote {args.output}")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from engine.store import jobs

    _open(args)
    job = jobs.resolve(args.id)
    events = jobs.history(job.id)
    if args.json:
        _print_json({"job_id": job.id, "events": events})
        return 0
    for e in events:
        move = f"{e['from'] or '-'} → {e['to']}"
        print(f"{e['at']}  {move:<22} {e['source']:<9} {e['message'] or ''}".rstrip())
    return 0


def cmd_export_history(args: argparse.Namespace) -> int:
    from engine.store.history_export import export_history

    _open(args)
    count = export_history(args.file, include_results=args.results)
    _note(f"wrote {count} job(s) to {args.file}")
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    from engine.store import retention

    home = _open(args)
    ids = retention.prune(home, dry_run=args.dry_run)
    if args.json:
        _print_json({"dry_run": args.dry_run, "job_ids": ids, "count": len(ids)})
    else:
        print(f"{'would delete' if args.dry_run else 'deleted'} {len(ids)} job(s)")
    return 0


def cmd_config_help(args: argparse.Namespace) -> int:
    raise UsageError("hornq config: give an action: get, set or example")


def cmd_config_get(args: argparse.Namespace) -> int:
    from engine.store import settings

    _open(args)
    values = {args.key: settings.get(args.key)} if args.key else settings.get_all()
    if args.json:
        _print_json(values)
    elif args.key:
        print(values[args.key])
    else:
        width = max(map(len, values))
        for key, value in values.items():
            print(f"{key:<{width}}  {value}    # {settings.SPECS[key].help}")
    return 0


def cmd_config_set(args: argparse.Namespace) -> int:
    from engine.store import settings

    _open(args)
    value = settings.set_value(args.key, args.value)
    print(f"{args.key} = {value}")
    return 0


def cmd_config_example(args: argparse.Namespace) -> int:
    from engine.config.examples import example

    sys.stdout.write(example(args.kind))
    return 0


def cmd_engine(args: argparse.Namespace) -> int:
    if args.action == "start":
        from engine.run import daemon

        home = _open(args)
        info = daemon.start(home)
        print(f"engine started in the background (pid {info.pid}); log: {home.engine_log}")
        return 0
    if args.action == "stop":
        from engine.run import daemon

        home = _open(args)
        info = daemon.stop(home, drain=args.drain, timeout=args.timeout)
        print(f"engine (pid {info.pid}) stopped")
        return 0
    if args.action == "status":
        return _engine_status(args)
    return _engine_foreground(args)


def _engine_status(args: argparse.Namespace) -> int:
    from engine.run import daemon
    from engine.store import jobs, lease, settings

    _open(args)
    info = lease.live_engine()
    counts = jobs.counts()
    data: dict[str, Any] = {
        "running": info is not None,
        "pid": info.pid if info else None,
        "host": info.host if info else None,
        "started_at": info.started_at if info else None,
        "uptime_s": round(daemon.uptime_s(info), 1) if info and daemon.uptime_s(info) is not None else None,
        "jobs_running": counts["running"],
        "jobs_queued": counts["queued"],
        "max_concurrent_jobs": settings.get("max_concurrent_jobs"),
    }
    if args.json:
        _print_json(data)
    elif info is None:
        print(f"no engine running; {counts['queued']} queued")
    else:
        print(f"engine pid {info.pid} on {info.host}, up {_duration(data['uptime_s'])}; "
              f"running {counts['running']}/{data['max_concurrent_jobs']}, queued {counts['queued']}")
    return 0 if info else 1


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def _engine_foreground(args: argparse.Namespace) -> int:
    import asyncio
    import logging

    from engine.run.engine import Engine

    home = _open(args)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")
    asyncio.run(_serve(Engine(home, until_idle=args.until_idle)))
    return 0


async def _serve(engine: Any) -> None:
    """Run the engine, on Python 3.11 with the child watcher that 3.12 made the default on Linux.

    3.11's default starts a thread per child process to wait for it; a pidfd watcher waits in the
    event loop instead (measured here: ~10 % more spawn → exit round trips per second).
    """
    import asyncio
    import os

    if sys.version_info < (3, 12):
        try:
            os.close(os.pidfd_open(os.getpid()))
        except (AttributeError, OSError):
            pass  # no pidfds (old kernel): keep the threaded watcher
        else:
            watcher = asyncio.PidfdChildWatcher()
            watcher.attach_loop(asyncio.get_running_loop())
            asyncio.set_child_watcher(watcher)
    await engine.serve()


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
