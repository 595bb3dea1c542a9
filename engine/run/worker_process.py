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
import traceback
from pathlib import Path
from typing import Any

from engine.paths import ensure_private_dir, open_private, write_atomic
from engine.solvers import Cancelled, load_plugin
from engine.text import printable

RESULTS_FILE = "results.json"
MEMORY_ENV = "HORNQ_WORKER_MEMORY_MB"
ARTIFACTS_DIR = "artifacts"


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


class JobContext:
    def __init__(self, job_id: str, workdir: Path, channel: Channel, stop: threading.Event) -> None:
        self.job_id = job_id
        self.workdir = workdir
        self._channel = channel
        self._stop = stop

    def progress(self, fraction: float, stage: str, message: str = "") -> None:
        self._channel.send(ev="progress", fraction=max(0.0, min(1.0, fraction)), stage=stage, message=message)

    def should_stop(self) -> bool:
        return self._stop.is_set()

    def log(self, line: str) -> None:
        print(line, flush=True)


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
    ctx = JobContext(request["job_id"], workdir, channel, stop)
    with Redirect(Path(request["log_path"])):
        try:
            output = load_plugin(request["kind"]).run(request["config"], ctx)
        except Cancelled:
            channel.send(ev="cancelled")
            return
        except MemoryError:
            channel.send(ev="failed", message="the solver ran out of memory")
            return
        except Exception as exc:  # the job fails, the worker lives on
            traceback.print_exc()
            channel.send(ev="failed", message=printable(f"{type(exc).__name__}: {exc}", 1500))
            return
        try:
            write_output(workdir, output.results, output.artifacts)
        except OSError as exc:
            channel.send(ev="failed", message=f"could not write the results: {exc.strerror or exc}")
            return
    channel.send(ev="done")


def write_output(workdir: Path, results: dict[str, Any], artifacts: dict[str, str]) -> None:
    """Write then rename, so a reader never sees half a file."""
    artifact_dir = ensure_private_dir(workdir / ARTIFACTS_DIR)
    for name, content in artifacts.items():
        write_atomic(artifact_dir / Path(name).name, content)
    write_atomic(workdir / RESULTS_FILE, json.dumps(results))


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
