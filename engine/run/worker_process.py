"""The solver worker process: stays alive between jobs so a solver's start-up cost is paid once.

Protocol (JSON lines): the engine writes ``{"op": "run", ...}`` / ``{"op": "cancel"}`` on stdin; the
worker answers ``{"ev": "ready"}``, ``{"ev": "progress", ...}`` and one of ``done`` / ``cancelled`` /
``failed`` per job on the protocol descriptor (the original stdout). While a job runs, the process's
stdout and stderr point at the job's log, so anything a solver library prints lands there.
Results and artifacts are written as files into the job's work directory, then ``done`` is sent.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
from pathlib import Path
from typing import Any

from engine.paths import ensure_private_dir, open_private
from engine.run.solve import JobContext, solve

MEMORY_ENV = "HORNQ_WORKER_MEMORY_MB"


class Channel:
    """The protocol stream back to the engine; shared by the job thread and nothing else."""

    def __init__(self, fd: int) -> None:
        self._out = os.fdopen(fd, "w", buffering=1, encoding="utf-8")
        self._lock = threading.Lock()

    def send(self, **message: Any) -> None:
        line = json.dumps(message)
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()


class Redirect:
    """Point fds 1 and 2 at a job's log for the duration of the job."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path

    def __enter__(self) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        self._saved = (os.dup(1), os.dup(2))
        with open_private(self.log_path, "ab") as log:
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)

    def __exit__(self, *exc: object) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, saved in zip((1, 2), self._saved, strict=True):
            os.dup2(saved, fd)
            os.close(saved)


def run_job(request: dict[str, Any], channel: Channel, stop: threading.Event) -> None:
    workdir = ensure_private_dir(Path(request["workdir"]))
    ctx = JobContext(
        request["job_id"],
        workdir,
        lambda fraction, stage, message, remaining: channel.send(
            ev="progress", fraction=fraction, stage=stage, message=message, remaining=remaining
        ),
        stop,
        cost_model=request.get("cost_model"),
    )
    with Redirect(Path(request["log_path"])):
        solved = solve(request["kind"], request["config"], ctx, workdir)
    if solved.status == "complete":
        channel.send(ev="done")
    elif solved.status == "cancelled":
        channel.send(ev="cancelled")
    else:
        channel.send(ev="failed", message=solved.message)


def limit_memory() -> None:
    """Cap the worker's heap (dense BEM operators grow as N²) so it fails alone instead of the machine."""
    megabytes = int(os.environ.get(MEMORY_ENV, "0") or 0)
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def main() -> None:
    limit_memory()
    channel = Channel(os.dup(1))
    os.dup2(2, 1)  # stray prints outside a job go to the worker's stderr, never into the protocol
    requests: list[dict[str, Any]] = []
    arrived = threading.Condition()
    stop = threading.Event()

    def read_stdin() -> None:
        for line in sys.stdin:
            message = json.loads(line)
            if message["op"] == "cancel":
                stop.set()
            else:
                with arrived:
                    requests.append(message)
                    arrived.notify()
        with arrived:
            requests.append({"op": "exit"})
            arrived.notify()

    threading.Thread(target=read_stdin, daemon=True).start()
    channel.send(ev="ready", pid=os.getpid())
    while True:
        with arrived:
            arrived.wait_for(lambda: requests)
            request = requests.pop(0)
        if request["op"] == "exit":
            return
        stop.clear()
        run_job(request, channel, stop)


if __name__ == "__main__":
    main()
