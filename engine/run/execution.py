"""A running job as the engine sees it: start it, ask it to stop, kill it, and learn how it ended.

``CommandRun`` runs an external program in its own process group; solver runs (``engine.run.pool``)
hand the job to a warm worker process. Both report progress through a callback and end in an Outcome.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from typing import Any

from engine.paths import Home, open_private
from engine.procs import kill_group, start_ticks
from engine.run.command import ProgramOutput, child_env
from engine.run.outcome import Outcome
from engine.store.lifecycle import Status
from engine.store.models import Job

Report = Callable[..., None]
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

    def abandon(self) -> None:
        """The grace period is over: end the run now (a solver run may leave its worker to finish)."""
        self.kill()

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
            self.pid, self.ticks = proc.pid, start_ticks(proc.pid)
            self.report(
                worker_pid=self.pid, worker_start_ticks=self.ticks, stage="running", stage_message=None, _now=True
            )
            output = ProgramOutput(log, self._progress)
            readers = [
                asyncio.create_task(_read(proc.stdout, output.feed)),
                asyncio.create_task(_read(proc.stderr, lambda line: output.feed(line, stderr=True))),
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
        return Outcome(Status.ERROR, output.failure(returncode), exit_code=returncode)

    def _progress(self, fraction: float, message: str | None) -> None:
        fields: dict[str, Any] = {"progress": fraction}
        if message is not None:
            fields["stage_message"] = message
        self.report(**fields)

    def _terminate(self) -> None:
        if self.pid:
            kill_group(self.pid, self.ticks, signal.SIGTERM)

    def kill(self) -> None:
        if self.pid:
            kill_group(self.pid, self.ticks, signal.SIGKILL)


async def _read(stream: asyncio.StreamReader, feed: Callable[[bytes], None]) -> None:
    while line := await stream.readline():
        feed(line)
