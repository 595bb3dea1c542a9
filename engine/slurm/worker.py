"""A hornq job's side on the cluster: ``python -m engine.slurm.worker JOBDIR``, started by the batch script.

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
import traceback
from collections import deque
from pathlib import Path
from typing import IO, Any

from engine.paths import ensure_private_dir
from engine.run.command import child_env, parse_progress
from engine.run.outcome import describe_exit
from engine.run.worker_process import write_output
from engine.slurm.jobdir import JobDir
from engine.solvers import Cancelled, load_plugin
from engine.text import printable

STDERR_TAIL = 12
EXIT_CANCELLED = 128 + signal.SIGTERM


class Progress:
    """Progress events appended to the job directory (each one line, as the program or solver reports it)."""

    def __init__(self, job_dir: JobDir) -> None:
        self.job_dir = job_dir

    def report(self, fraction: float, stage: str | None, message: str | None) -> None:
        self.job_dir.append_event(ev="progress", fraction=max(0.0, min(1.0, fraction)), stage=stage,
                                  message=message or None)


class FileContext:
    """The solver context of a job on the cluster: progress goes to the job directory."""

    def __init__(self, job_id: str, workdir: Path, progress: Progress, stop: threading.Event) -> None:
        self.job_id = job_id
        self.workdir = workdir
        self._progress = progress
        self._stop = stop

    def progress(self, fraction: float, stage: str, message: str = "") -> None:
        self._progress.report(fraction, stage, message)

    def should_stop(self) -> bool:
        return self._stop.is_set()

    def log(self, line: str) -> None:
        print(line, flush=True)


def run_solver(request: dict[str, Any], job_dir: JobDir, stop: threading.Event) -> tuple[dict[str, Any], int]:
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    workdir = ensure_private_dir(job_dir.path / "work")
    ctx = FileContext(request["job_id"], workdir, Progress(job_dir), stop)
    try:
        output = load_plugin(request["kind"]).run(request["config"], ctx)
    except Cancelled:
        return {"status": "cancelled"}, EXIT_CANCELLED
    except MemoryError:
        return {"status": "error", "message": "the solver ran out of memory"}, 1
    except Exception as exc:
        traceback.print_exc()
        return {"status": "error", "message": printable(f"{type(exc).__name__}: {exc}", 1500)}, 1
    write_output(job_dir.path, output.results, output.artifacts)
    return {"status": "complete"}, 0


def run_command(request: dict[str, Any], job_dir: JobDir, stop: threading.Event) -> tuple[dict[str, Any], int]:
    section = request["config"]["command"]
    try:
        proc = subprocess.Popen(section["argv"], cwd=section["cwd"], env=child_env(section, request["job_id"],
                                request["home"]), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
    except OSError as exc:
        message = f"cannot start {section['argv'][0]!r}: {exc.strerror or exc}"
        print(f"hornq: {message}", flush=True)
        return {"status": "error", "message": message, "exit_code": 127}, 127

    def forward(*_: object) -> None:
        stop.set()
        proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    progress = Progress(job_dir)
    tail: deque[str] = deque(maxlen=STDERR_TAIL)
    lock = threading.Lock()
    pumps = [threading.Thread(target=_pump, args=(proc.stdout, lock), kwargs={"progress": progress}, daemon=True),
             threading.Thread(target=_pump, args=(proc.stderr, lock), kwargs={"tail": tail}, daemon=True)]
    for pump in pumps:
        pump.start()
    returncode = proc.wait()
    for pump in pumps:
        pump.join(timeout=2.0)  # grandchildren may hold the pipes open
    if returncode == 0:
        return {"status": "complete", "exit_code": 0}, 0
    detail = printable("\n".join(tail), 1500)
    message = describe_exit(returncode) + (f": {detail}" if detail else "")
    status = "cancelled" if stop.is_set() else "error"
    return {"status": status, "message": message, "exit_code": returncode}, returncode if returncode > 0 \
        else 128 - returncode


def _pump(stream: IO[bytes], lock: threading.Lock, *, progress: Progress | None = None,
          tail: deque[str] | None = None) -> None:
    """Copy a pipe into the job's log (this process's stdout), reading progress lines or the stderr tail."""
    for line in iter(stream.readline, b""):
        with lock:
            sys.stdout.buffer.write(line)
            sys.stdout.buffer.flush()
        if progress is not None and line.startswith(b"HORNQ_PROGRESS"):
            parsed = parse_progress(line)
            if parsed:
                fraction, message = parsed
                progress.report(fraction, None, printable(message, 200) if message else None)
        if tail is not None:
            tail.append(line.decode("utf-8", "replace").rstrip())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m engine.slurm.worker JOBDIR", file=sys.stderr)
        return 2
    job_dir = JobDir(Path(args[0]))
    request = job_dir.request()
    stop = threading.Event()
    job_dir.append_event(ev="started", host=socket.gethostname(), pid=os.getpid(),
                         slurm_job_id=os.environ.get("SLURM_JOB_ID"))
    started = time.monotonic()
    runner = run_command if request["kind"] == "command" else run_solver
    outcome, exit_code = runner(request, job_dir, stop)
    job_dir.write_outcome(**outcome, duration_s=round(time.monotonic() - started, 3))
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
