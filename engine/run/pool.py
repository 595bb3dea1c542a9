"""Warm solver worker processes, one per concurrency slot, and the run that hands a job to one.

Workers live in their own sessions so a kill takes their whole process tree; a worker that dies or
misbehaves is discarded and the next job gets a fresh one. A job stopped in the middle of a long frequency
is recorded at once, while its worker finishes that frequency in the background and rejoins the pool warm:
a fresh worker would pay the solver's start-up again (minutes of kernel compilation for the 3-D horn solve).
A job that needs a worker meanwhile waits for it at most one more grace period, then it is killed.
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
from engine.run import cost_model
from engine.run.execution import Report, Run
from engine.run.outcome import Outcome, describe_exit
from engine.run.worker_process import MEMORY_ENV
from engine.store.lifecycle import Status
from engine.store.models import Job, utcnow

PROTOCOL_LIMIT = 16 * 1024 * 1024
READY_TIMEOUT_S = 60.0
#: How long a stopped job's worker may go on finishing its frequency when no job waits for it: longer than a
#: fresh worker's kernel compilation, beyond which a wait is no cheaper than starting afresh.
FINISH_FREQUENCY_S = 300.0


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
    """Idle warm workers waiting for the next solver job, and workers finishing the frequency of a stopped one."""

    def __init__(self, home: Home) -> None:
        self.home = home
        self.idle: list[Worker] = []
        self.finishing: dict[asyncio.Task[None], Worker] = {}
        self.memory_mb = 0
        self.grace = 10.0

    async def acquire(self) -> Worker:
        while True:
            while self.idle:
                worker = self.idle.pop()
                if worker.alive:
                    return worker
            if not self.finishing:
                return await Worker.spawn(self.home, self.memory_mb)
            finished, _ = await asyncio.wait(self.finishing, timeout=self.grace, return_when=asyncio.FIRST_COMPLETED)
            if not finished:
                for worker in self.finishing.values():
                    worker.kill()
                await asyncio.wait(list(self.finishing))

    def release(self, worker: Worker) -> None:
        if worker.alive:
            self.idle.append(worker)

    def finish_in_background(self, worker: Worker, reply: asyncio.Future[dict[str, Any]]) -> None:
        """Let a worker whose job was recorded finish its frequency, then take it back (``reply`` is the read
        of its protocol stream already under way)."""
        task = asyncio.create_task(self._take_back(worker, reply))
        self.finishing[task] = worker
        task.add_done_callback(self.finishing.pop)

    async def _take_back(self, worker: Worker, reply: asyncio.Future[dict[str, Any]]) -> None:
        async def job_end() -> None:
            message = await reply
            while message.get("ev") == "progress":
                message = await worker.receive()

        try:
            await asyncio.wait_for(job_end(), FINISH_FREQUENCY_S)
        except TimeoutError:
            worker.kill()
            return
        except WorkerDied:
            return
        self.release(worker)

    async def trim(self, keep: int) -> None:
        while len(self.idle) > keep:
            await self.idle.pop(0).close()

    async def close(self) -> None:
        for task, worker in list(self.finishing.items()):
            worker.kill()
            task.cancel()
        await self.trim(0)


class SolverRun(Run):
    """Runs a solver job in a pooled worker; progress events arrive over the worker's pipe."""

    def __init__(self, job: Job, home: Home, report: Report, pool: WorkerPool) -> None:
        super().__init__(job, home, report)
        self.pool = pool
        self.worker: Worker | None = None
        self._abandoned = asyncio.Event()

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
            cost_model=await cost_model.fitted(self.job.kind),
        )
        if self.stop_reason:
            worker.send(op="cancel")
        try:
            outcome = await self._follow(worker, workdir)
        except WorkerDied as exc:
            return Outcome(Status.ERROR, str(exc), result_dir=workdir)
        worker.jobs_run += 1
        if not self._abandoned.is_set():
            self.pool.release(worker)
        return outcome

    async def _follow(self, worker: Worker, workdir: Path) -> Outcome:
        """The worker's events until the job ends; the work directory holds results or partial results."""
        abandoned = asyncio.ensure_future(self._abandoned.wait())
        try:
            while True:
                reply = asyncio.ensure_future(worker.receive())
                await asyncio.wait((reply, abandoned), return_when=asyncio.FIRST_COMPLETED)
                if not reply.done():
                    self.pool.finish_in_background(worker, reply)
                    return Outcome(Status.CANCELLED, result_dir=workdir)
                message = reply.result()
                event = message.get("ev")
                if event == "progress":
                    fields: dict[str, Any] = {"progress": message["fraction"], "stage": message["stage"]}
                    fields["stage_message"] = message.get("message") or None
                    fields["remaining_s"] = message.get("remaining")
                    fields["remaining_at"] = None if fields["remaining_s"] is None else utcnow()
                    self.report(**fields)
                elif event == "done":
                    return Outcome(Status.COMPLETE, result_dir=workdir)
                elif event == "cancelled":
                    return Outcome(Status.CANCELLED, result_dir=workdir)
                elif event == "failed":
                    return Outcome(Status.ERROR, message.get("message") or "the solver failed", result_dir=workdir)
        finally:
            abandoned.cancel()

    def _terminate(self) -> None:
        if self.worker is not None and self.worker.alive:
            self.worker.send(op="cancel")

    def abandon(self) -> None:
        """The grace period is over: end the job now and let the worker finish its frequency in the background."""
        self._abandoned.set()

    def kill(self) -> None:
        if self.worker is not None:
            self.worker.kill()
