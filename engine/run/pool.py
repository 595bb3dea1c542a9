"""Warm solver worker processes, one per concurrency slot, and the run that hands a job to one.

Workers live in their own sessions so a kill takes their whole process tree; a worker that dies,
is killed on cancel or misbehaves is discarded and the next job gets a fresh one.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from engine.config.job import COMMON_KEYS
from engine.paths import Home, open_private
from engine.procs import kill_group, start_ticks
from engine.run.execution import Report, Run
from engine.run.outcome import Outcome, describe_exit
from engine.run.worker_process import MEMORY_ENV
from engine.store.lifecycle import Status
from engine.store.models import Job

PROTOCOL_LIMIT = 16 * 1024 * 1024
READY_TIMEOUT_S = 60.0


class WorkerDied(Exception):
    pass


class Worker:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.pid = proc.pid
        self.ticks = start_ticks(proc.pid)
        self.jobs_run = 0

    @classmethod
    async def spawn(cls, home: Home, memory_mb: int = 0) -> Worker:
        log = open_private(home.logs / "workers.log", "ab")
        env = dict(os.environ, **{MEMORY_ENV: str(memory_mb)})
        try:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "engine.run.worker_process",
                env=env,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=log,
                start_new_session=True,
                limit=PROTOCOL_LIMIT,
            )
        finally:
            log.close()
        worker = cls(proc)
        message = await asyncio.wait_for(worker.receive(), READY_TIMEOUT_S)
        if message.get("ev") != "ready":
            worker.kill()
            raise WorkerDied(f"worker sent {message!r} instead of ready")
        return worker

    @property
    def alive(self) -> bool:
        return self.proc.returncode is None

    def send(self, **message: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(message) + "\n").encode())

    async def receive(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = await self.proc.stdout.readline()
        if not line:
            returncode = await self.proc.wait()
            raise WorkerDied(f"the solver worker died ({describe_exit(returncode)})")
        return json.loads(line)

    def kill(self) -> None:
        kill_group(self.pid, self.ticks, signal.SIGKILL)

    async def close(self) -> None:
        if self.alive and self.proc.stdin is not None:
            self.proc.stdin.close()
            try:
                await asyncio.wait_for(self.proc.wait(), 5)
            except TimeoutError:
                self.kill()
        await self.proc.wait()


class WorkerPool:
    """Idle warm workers waiting for the next solver job."""

    def __init__(self, home: Home) -> None:
        self.home = home
        self.idle: list[Worker] = []
        self.memory_mb = 0

    async def acquire(self) -> Worker:
        while self.idle:
            worker = self.idle.pop()
            if worker.alive:
                return worker
        return await Worker.spawn(self.home, self.memory_mb)

    def release(self, worker: Worker) -> None:
        if worker.alive:
            self.idle.append(worker)

    async def trim(self, keep: int) -> None:
        while len(self.idle) > keep:
            await self.idle.pop(0).close()

    async def close(self) -> None:
        await self.trim(0)


class SolverRun(Run):
    """Runs a solver job in a pooled worker; progress events arrive over the worker's pipe."""

    def __init__(self, job: Job, home: Home, report: Report, pool: WorkerPool) -> None:
        super().__init__(job, home, report)
        self.pool = pool
        self.worker: Worker | None = None

    async def execute(self) -> Outcome:
        try:
            worker = await self.pool.acquire()
        except (TimeoutError, WorkerDied, OSError) as exc:
            return Outcome(Status.ERROR, f"could not start a solver worker: {exc}")
        self.worker = worker
        self.pid, self.ticks = worker.pid, worker.ticks
        self.report(worker_pid=worker.pid, worker_start_ticks=worker.ticks, _now=True)
        workdir = self.home.job_workdir(self.job.id)
        config = {k: v for k, v in json.loads(self.job.config_json).items() if k not in COMMON_KEYS}
        worker.send(
            op="run",
            job_id=self.job.id,
            kind=self.job.kind,
            config=config,
            log_path=str(self.home.job_log(self.job.id)),
            workdir=str(workdir),
        )
        if self.stop_reason:
            worker.send(op="cancel")
        try:
            outcome = await self._follow(worker, workdir)
        except WorkerDied as exc:
            return Outcome(Status.ERROR, str(exc))
        worker.jobs_run += 1
        self.pool.release(worker)
        return outcome

    async def _follow(self, worker: Worker, workdir: Path) -> Outcome:
        while True:
            message = await worker.receive()
            event = message.get("ev")
            if event == "progress":
                fields: dict[str, Any] = {"progress": message["fraction"], "stage": message["stage"]}
                fields["stage_message"] = message.get("message") or None
                self.report(**fields)
            elif event == "done":
                return Outcome(Status.COMPLETE, result_dir=workdir)
            elif event == "cancelled":
                return Outcome(Status.CANCELLED)
            elif event == "failed":
                return Outcome(Status.ERROR, message.get("message") or "the solver failed")

    def _terminate(self) -> None:
        if self.worker is not None and self.worker.alive:
            self.worker.send(op="cancel")

    def kill(self) -> None:
        if self.worker is not None:
            self.worker.kill()
