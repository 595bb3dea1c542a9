"""A hornq job's side on the cluster: ``python -m engine.run.slurm.worker JOBDIR``, started by the batch script.

It runs one job (a solver plugin in this process, or a command job's program as an argv list) and
reports only through the job directory: progress events appended to ``events.jsonl``, results and
artifacts written then renamed, and last ``outcome.json``. It never opens hornq's database, which
may not even be reachable from the node. SIGTERM (``scancel``, the time limit) asks a solver to stop
between frequencies and is passed on to a command; the process exit code is the job's, so SLURM's
own record agrees with hornq's.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from engine.paths import ensure_private_dir
from engine.run.command import ProgramOutput, child_env
from engine.run.slurm.jobdir import JobDir
from engine.run.solve import JobContext, solve

EXIT_CANCELLED = 128 + signal.SIGTERM


class Progress:
    """Progress events appended to the job directory (each one line, as the program or solver reports it)."""

    def __init__(self, job_dir: JobDir) -> None:
        self.job_dir = job_dir

    def report(self, fraction: float, stage: str | None, message: str | None, remaining: float | None = None) -> None:
        event: dict[str, Any] = {"fraction": max(0.0, min(1.0, fraction)), "stage": stage, "message": message or None}
        if remaining is not None:
            event |= {"remaining": remaining, "at": datetime.now(UTC).isoformat()}
        self.job_dir.append_event(ev="progress", **event)


def run_solver(request: dict[str, Any], job_dir: JobDir, stop: threading.Event) -> tuple[dict[str, Any], int]:
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    workdir = ensure_private_dir(job_dir.path / "work")
    ctx = JobContext(
        request["job_id"],
        workdir,
        Progress(job_dir).report,
        stop,
        output_dir=job_dir.path,
        cost_model=request.get("cost_model"),
    )
    solved = solve(request["kind"], request["config"], ctx, job_dir.path)
    if solved.status == "complete":
        return {"status": "complete"}, 0
    if solved.status == "cancelled":
        return {"status": "cancelled"}, EXIT_CANCELLED
    return {"status": "error", "message": solved.message}, 1


def run_command(request: dict[str, Any], job_dir: JobDir, stop: threading.Event) -> tuple[dict[str, Any], int]:
    section = request["config"]["command"]
    try:
        proc = subprocess.Popen(
            section["argv"],
            cwd=section["cwd"],
            env=child_env(section, request["job_id"], request["home"]),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        message = f"cannot start {section['argv'][0]!r}: {exc.strerror or exc}"
        print(f"hornq: {message}", flush=True)
        return {"status": "error", "message": message, "exit_code": 127}, 127

    def forward(*_: object) -> None:
        stop.set()
        proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    progress = Progress(job_dir)
    output = ProgramOutput(sys.stdout.buffer, lambda fraction, message: progress.report(fraction, None, message))
    pumps = [
        threading.Thread(target=_read, args=(proc.stdout, output.feed), daemon=True),
        threading.Thread(target=_read, args=(proc.stderr, lambda line: output.feed(line, stderr=True)), daemon=True),
    ]
    for pump in pumps:
        pump.start()
    returncode = proc.wait()
    for pump in pumps:
        pump.join(timeout=2.0)  # grandchildren may hold the pipes open
    if returncode == 0:
        return {"status": "complete", "exit_code": 0}, 0
    status = "cancelled" if stop.is_set() else "error"
    exit_code = returncode if returncode > 0 else 128 - returncode  # killed by a signal: as a shell reports it
    return {"status": status, "message": output.failure(returncode), "exit_code": returncode}, exit_code


def _read(stream: IO[bytes], feed: Callable[[bytes], None]) -> None:
    """Feed a pipe's lines into the job's log (this process's stdout) as they come."""
    for line in iter(stream.readline, b""):
        feed(line)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m engine.run.slurm.worker JOBDIR", file=sys.stderr)
        return 2
    job_dir = JobDir(Path(args[0]))
    request = job_dir.request()
    stop = threading.Event()
    job_dir.append_event(
        ev="started", host=socket.gethostname(), pid=os.getpid(), slurm_job_id=os.environ.get("SLURM_JOB_ID")
    )
    started = time.monotonic()
    runner = run_command if request["kind"] == "command" else run_solver
    outcome, exit_code = runner(request, job_dir, stop)
    job_dir.write_outcome(**outcome, duration_s=round(time.monotonic() - started, 3))
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
