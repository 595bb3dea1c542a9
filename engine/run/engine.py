"""The engine: one asyncio loop that owns the queue of a HORNQ_HOME.

It holds the lease, recovers what a dead engine left, then loops: notice changes other processes
committed (``PRAGMA data_version``), apply stop requests, enforce grace periods and timeouts, let
optimisation studies queue their next points, and fill free slots FIFO. A finished run wakes the loop
at once, so the next job starts immediately.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from engine.errors import storage_failure
from engine.paths import Home
from engine.run import recovery
from engine.run.ending import BY_USER, record_end, run_verdict
from engine.run.execution import CommandRun, Run
from engine.run.hooks import finish_fields, run_on_finish
from engine.run.optimizer import Optimizer
from engine.run.outcome import Outcome
from engine.run.pool import SolverRun, WorkerPool
from engine.run.scheduler import LeaseLost, claim_next, queued_count
from engine.run.slurm.executor import SlurmExecutor
from engine.run.throttle import Throttle
from engine.store import jobs, lease, retention, settings, sql
from engine.store.lifecycle import Status
from engine.store.models import Job

log = logging.getLogger("hornq.engine")
POLL_S = 0.1


@dataclass
class Active:
    run: Run
    task: asyncio.Task[None]
    started: float
    kill_at: float | None = None
    throttle: Throttle | None = field(default=None)


@dataclass
class Ended:
    """A run that has ended but whose end may not be in the database yet (e.g. the disk was full)."""

    job: Job
    run: Run
    outcome: Outcome
    started: float
    finished: float = field(default_factory=time.monotonic)


class Engine:
    def __init__(self, home: Home, *, until_idle: bool = False) -> None:
        self.home = home
        self.until_idle = until_idle
        self.token = uuid.uuid4().hex
        self.active: dict[str, Active] = {}
        self.unrecorded: list[Ended] = []
        self.to_prune: list[str] = []
        self.pool = WorkerPool(home)
        self.slurm = SlurmExecutor(home, self.token)  # jobs with executor "slurm": not in self.active
        self.optimizer = Optimizer(home)
        self.stopping: str | None = None  # "drain" or "cancel"
        self.queue_may_have_work = True
        self.wake = asyncio.Event()
        self.data_version = -1
        self.cap = 1
        self.grace = 10.0
        self.timeout = 0.0
        self.on_finish: list[str] = []
        self._trim_task: asyncio.Task[None] | None = None

    async def serve(self) -> None:
        lease.acquire(self.token)
        log.info("engine started (pid %s) for %s", os.getpid(), self.home.root)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            loop.add_signal_handler(sig, self._on_signal, sig)
        try:
            interrupted = recovery.recover()
            if interrupted:
                log.warning("marked %d interrupted job(s) as error", len(interrupted))
            self.to_prune = retention.prunable()
            if self.to_prune:
                log.info("pruning %d old job(s) in the background", len(self.to_prune))
            await self._loop()
        except LeaseLost as exc:
            log.error("%s; stopping", exc)
            self._stop_all("shutdown")
            await self._drain_active()
        finally:
            await self.slurm.close()
            await self.pool.close()
            lease.release(self.token)
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                loop.remove_signal_handler(sig)
            log.info("engine stopped")

    def _on_signal(self, sig: int) -> None:
        if self.stopping == "cancel" and sig == signal.SIGINT:
            for active in self.active.values():
                active.run.kill()
        log.info("received %s; stopping running jobs", signal.Signals(sig).name)
        self._begin_stop("cancel")

    def _begin_stop(self, mode: str) -> None:
        if self.stopping == "cancel":
            return
        self.stopping = mode
        if mode == "cancel":
            self._stop_all("shutdown")
        self.wake.set()

    async def _loop(self) -> None:
        next_heartbeat = 0.0
        failures = 0
        while True:
            now = time.monotonic()
            try:
                if now >= next_heartbeat:
                    if not lease.heartbeat(self.token):
                        raise LeaseLost("the engine lease was taken over by another engine")
                    next_heartbeat = now + lease.HEARTBEAT_S
                self._retry_unrecorded()
                self._notice_changes()
                self._enforce_deadlines(now)
                self.slurm.tick(now)
                if not self.stopping:
                    self._propose(now)
                    self._fill_slots()
                self._prune_some()
                done = (
                    not self.active
                    and not self.unrecorded
                    and (self.stopping or (self.until_idle and not self._has_queued_work()))
                )
            except Exception as exc:
                if not storage_failure(exc):
                    raise
                failures += 1
                self._enforce_deadlines(now)
                if failures == 1 or failures % 50 == 0:
                    log.warning("database unavailable (%s); retrying", exc)
                await asyncio.sleep(min(5.0, POLL_S * 2 ** min(failures, 6)))
                continue
            if failures:
                log.info("database available again after %d failed attempt(s)", failures)
                failures = 0
            if done:
                return
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), POLL_S)

    def _prune_some(self) -> None:
        """Prune in short batches between scheduling rounds, so a large backlog never delays a job."""
        if self.to_prune:
            batch, self.to_prune = self.to_prune[: retention.BATCH], self.to_prune[retention.BATCH :]
            retention.delete_batch(self.home, batch)
            if self.to_prune:
                self.wake.set()

    def _notice_changes(self) -> None:
        version = sql.data_version()
        if version == self.data_version:
            return
        self.data_version = version
        self.queue_may_have_work = True
        self.slurm.wake()
        self.optimizer.wake()
        every = settings.get_all()
        self.cap, self.grace, self.timeout, self.on_finish = (
            every["max_concurrent_jobs"],
            every["cancel_grace_s"],
            every["job_timeout_s"],
            every["on_finish"],
        )
        self.pool.memory_mb = every["worker_memory_mb"]
        self.pool.grace = self.grace
        mode = lease.stop_request(self.token)
        if mode:
            log.info("stop requested (%s)", mode)
            self._begin_stop(mode)
        if self.active:
            requested = Job.select(Job.id).where(Job.id.in_(list(self.active)) & Job.cancellation_requested)
            for job in requested:
                self._stop(job.id, "cancel")

    def _stop(self, job_id: str, reason: str) -> None:
        active = self.active.get(job_id)
        if active is None or active.run.stop_reason:
            return
        log.info("stopping job %s (%s)", job_id[:8], reason)
        active.run.request_stop(reason)
        active.kill_at = time.monotonic() + self.grace

    def _stop_all(self, reason: str) -> None:
        for job_id in list(self.active):
            self._stop(job_id, reason)

    def _enforce_deadlines(self, now: float) -> None:
        for job_id, active in list(self.active.items()):
            if active.kill_at is not None and now >= active.kill_at:
                log.info("ending job %s after the grace period", job_id[:8])
                active.run.abandon()
                active.kill_at = None
            elif self.timeout and not active.run.stop_reason and now - active.started > self.timeout:
                self._stop(job_id, "timeout")

    def _has_queued_work(self) -> bool:
        return queued_count() > 0 or self.slurm.has_work() or self.optimizer.has_work()

    def _propose(self, now: float) -> None:
        """Optimisation studies queue their next points into the slots their trials leave."""
        if self.optimizer.tick(self.cap, now):
            self.queue_may_have_work = True
            self.slurm.wake()

    def _fill_slots(self) -> None:
        while self.queue_may_have_work and len(self.active) < self.cap:
            job = claim_next(self.token)
            if job is None:
                self.queue_may_have_work = False
                self._trim_task = asyncio.create_task(self.pool.trim(self.cap - len(self.active)))
                return
            self._start(job)

    def _start(self, job: Job) -> None:
        throttle = Throttle(lambda fields, job_id=job.id: jobs.update_job(job_id, **fields))

        def report(_now: bool = False, **fields: Any) -> None:
            throttle.update(**fields)
            if _now:
                throttle.flush()

        run: Run = (
            CommandRun(job, self.home, report)
            if job.kind == "command"
            else SolverRun(job, self.home, report, self.pool)
        )
        task = asyncio.create_task(self._execute(job, run, throttle))
        self.active[job.id] = Active(run, task, time.monotonic(), throttle=throttle)
        log.info("started job %s (%s)", job.id[:8], job.kind)

    async def _execute(self, job: Job, run: Run, throttle: Throttle) -> None:
        try:
            outcome = await run.execute()
        except Exception as exc:
            log.exception("job %s failed inside the engine", job.id[:8])
            run.kill()
            outcome = Outcome(Status.ERROR, f"internal error: {type(exc).__name__}: {exc}")
        throttle.close()
        ended = Ended(job, run, outcome, self.active[job.id].started)
        del self.active[job.id]
        try:
            self._finish(ended)
        except Exception as exc:
            if not storage_failure(exc):
                log.exception("could not record the end of job %s", job.id[:8])
                raise
            log.warning("could not record the end of job %s (%s); will retry", job.id[:8], exc)
            self.unrecorded.append(ended)
        finally:
            self.queue_may_have_work = True
            self.optimizer.wake()
            self.wake.set()

    def _finish(self, ended: Ended) -> None:
        """Record a run's end, then clean up; the work directory stays until its results are stored."""
        self._record(ended)
        shutil.rmtree(self.home.job_workdir(ended.job.id), ignore_errors=True)

    def _retry_unrecorded(self) -> None:
        while self.unrecorded:
            self._finish(self.unrecorded[0])
            self.unrecorded.pop(0)

    def _record(self, ended: Ended) -> None:
        """Write how the job ended; a stop the engine asked for decides it, else a cancel requested meanwhile wins."""
        job, run, outcome = ended.job, ended.run, ended.outcome
        verdict = record_end(
            job,
            run_verdict(run.stop_reason, outcome, self.timeout),
            cancelled=None if run.stop_reason else BY_USER,
            output_dir=outcome.result_dir,
            duration_s=round(ended.finished - ended.started, 3),
        )
        message = verdict.message
        log.info("job %s %s%s", job.id[:8], verdict.status, f": {message}" if message else "")
        run_on_finish(self.on_finish, self.home, finish_fields(job, verdict.status))

    async def _drain_active(self) -> None:
        while self.active:
            self._enforce_deadlines(time.monotonic())
            await asyncio.wait([a.task for a in self.active.values()], timeout=POLL_S)
