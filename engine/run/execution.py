"""A running job as the engine sees it: start it, ask it to stop, kill it, and learn how it ended.

``CommandRun`` runs an external program in its own process group; solver runs (``engine.run.pool``)
hand the job to a warm worker process. Both report progress through a callback and end in an Outcome.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections import deque
from collections.abc import Callable
from typing import Any

from engine.paths import Home, open_private
from engine.procs import kill_group, start_ticks
from engine.run.command import child_env, parse_progress
from engine.run.outcome import Outcome, describe_exit
from engine.store.lifecycle import Status
from engine.store.models import Job
from engine.text import printable

Report = Callable[..., None]
STDERR_TAIL = 12
DRAIN_AFTER_EXIT_S = 2.0


class Run:
    """Common stop bookkeeping: why a run was stopped decides how it is recorded."""

    def __init__(self, job: Job, home: Home, report: Report) -> None:
        self.job = job
        self.home = home
        self.report = report
        self.stop_reason: str | None = None  # "cancel", "timeout", "shutdown"
        self.pid: int | None = None
        self.ticks: int | None = None

    def request_stop(self, reason: str) -> None:
        """Ask politely; the engine calls kill() if the run outlives its grace period."""
        if self.stop_reason is None:
            self.stop_reason = reason
            self._terminate()

    def _terminate(self) -> None:
        raise NotImplementedError

    def kill(self) -> None:
        raise NotImplementedError

    async def execute(self) -> Outcome:
        raise NotImplementedError


class CommandRun(Run):
    async def execute(self) -> Outcome:
        import json

        config: dict[str, Any] = json.loads(self.job.config_json)["command"]
        log_path = self.home.job_log(self.job.id)
        with open_private(log_path, "ab") as log:
            try:
                proc = await asyncio.create_subprocess_exec(
                    *config["argv"],
                    cwd=config["cwd"],
                    env=child_env(config, self.job.id, str(self.home.root)),
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE,
                    start_new_session=True,
                )
            except OSError as exc:
                message = f"cannot start {config['argv'][0]!r}: {exc.strerror or exc}"
                log.write(f"hornq: {message}\n".encode())
                return Outcome(Status.ERROR, message)
            self.proc = proc
            self.pid, self.ticks = proc.pid, start_ticks(proc.pid)
            self.report(worker_pid=self.pid, worker_start_ticks=self.ticks, stage="running", stage_message=None,
                        _now=True)
            tail: deque[str] = deque(maxlen=STDERR_TAIL)
            readers = [
                asyncio.create_task(self._pump(proc.stdout, log, progress=True)),
                asyncio.create_task(self._pump(proc.stderr, log, tail=tail)),
            ]
            returncode = await proc.wait()
            # Grandchildren may hold the pipes open; give them a moment, then stop reading.
            await asyncio.wait(readers, timeout=DRAIN_AFTER_EXIT_S)
            for reader in readers:
                reader.cancel()
        if self.stop_reason:
            kill_group(self.pid, self.ticks)
        if returncode == 0:
            return Outcome(Status.COMPLETE, exit_code=0)
        detail = printable("\n".join(tail), 1500)
        message = describe_exit(returncode) + (f": {detail}" if detail else "")
        return Outcome(Status.ERROR, message, exit_code=returncode)

    async def _pump(self, stream: asyncio.StreamReader, log: Any, *, progress: bool = False,
                    tail: deque[str] | None = None) -> None:
        while line := await stream.readline():
            log.write(line)
            if progress and line.startswith(b"HORNQ_PROGRESS"):
                parsed = parse_progress(line)
                if parsed:
                    fraction, message = parsed
                    fields: dict[str, Any] = {"progress": fraction}
                    if message is not None:
                        fields["stage_message"] = printable(message, 200)
                    self.report(**fields)
            if tail is not None:
                tail.append(line.decode("utf-8", "replace").rstrip())
            log.flush()

    def _terminate(self) -> None:
        if self.pid:
            kill_group(self.pid, self.ticks, signal.SIGTERM)

    def kill(self) -> None:
        if self.pid:
            kill_group(self.pid, self.ticks, signal.SIGKILL)


def log_line(home: Home, job_id: str, text: str) -> None:
    with open_private(home.job_log(job_id), "a") as log:
        log.write(f"hornq: {text}{os.linesep}")
