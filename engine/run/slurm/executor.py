"""The engine's side of SLURM: submit queued SLURM jobs, follow them, cancel them, record how they end.

The engine loop calls ``tick`` on every turn; at most once a second (sooner after another process
wrote, e.g. a stop request) it starts one ``sync`` task, which runs the SLURM commands as asyncio
subprocesses, so the loop never waits on the cluster. A sync reads everything it needs from SLURM
and the job directories, so it is also how a restarted engine picks up the SLURM jobs it left
behind: they run on, untouched by recovery, and the first sync re-synchronises them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from pathlib import Path

from engine.config.job import COMMON_KEYS
from engine.errors import IllegalTransition
from engine.paths import Home
from engine.run import cost_model
from engine.run.hooks import finish_fields, run_on_finish
from engine.run.slurm import batch, client
from engine.run.slurm.client import SlurmRefused, SlurmUnavailable
from engine.run.slurm.finish import ending, fail_before_start, judge, results_ready, write_end
from engine.run.slurm.jobdir import JobDir, job_root, keep_log, link_log
from engine.run.slurm.parse import Record
from engine.run.slurm.states import Phase, lookup
from engine.store import jobs, lease, settings
from engine.store.lifecycle import ACTIVE, Source, Status, transition
from engine.store.models import Job

log = logging.getLogger("hornq.slurm")
SYNC_S = 1.0
MIN_GAP_S = 0.5
CLOSE_WAIT_S = 10.0
RESULTS_GRACE_S = 15.0  # a COMPLETED job's files may reach a shared filesystem a little later
JOB_ID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
FIELDS = (Job.id, Job.kind, Job.status, Job.label, Job.external_id, Job.cancellation_requested, Job.config_json)


class SlurmExecutor:
    def __init__(self, home: Home, token: str) -> None:
        self.home = home
        self.token = token
        self.task: asyncio.Task[None] | None = None
        self.next_sync = 0.0
        self.last_sync = 0.0
        self.offsets: dict[str, int] = {}  # job id → bytes of events.jsonl already read
        self.written: dict[str, dict[str, object]] = {}  # job id → progress fields last written
        self.scancelled: set[str] = set()
        self.finished_at: dict[str, float] = {}  # job id → when SLURM first said COMPLETED without results
        self.problem: str | None = None
        self.resynchronised = False

    # ------------------------------------------------------------ the engine's hooks

    def tick(self, now: float) -> None:
        """Start a sync when one is due and none is running; never blocks."""
        if (self.task is None or self.task.done()) and now >= self.next_sync:
            self.last_sync, self.next_sync = now, now + SYNC_S
            self.task = asyncio.create_task(self._sync_logged())

    def wake(self) -> None:
        """Another process wrote (a submission, a stop request): sync soon rather than in a second."""
        self.next_sync = min(self.next_sync, self.last_sync + MIN_GAP_S)

    def has_work(self) -> bool:
        return Job.select().where((Job.executor == "slurm") & Job.status.in_(list(ACTIVE))).exists()

    async def close(self) -> None:
        """Let a sync in flight finish (its SLURM commands are bounded), then stop it. An interrupted
        submission is safe: the next engine finds it by job name instead of submitting again."""
        if self.task is not None and not self.task.done():
            _, pending = await asyncio.wait([self.task], timeout=CLOSE_WAIT_S)
            for task in pending:
                task.cancel()
                await asyncio.wait([task])

    # ------------------------------------------------------------ one sync

    async def _sync_logged(self) -> None:
        try:
            await self.sync()
        except SlurmUnavailable as exc:
            if str(exc) != self.problem:
                log.warning("SLURM is not answering: %s (retrying every %g s)", exc, SYNC_S)
            self.problem = str(exc)
        except Exception:
            log.exception("SLURM sync failed")
        else:
            if self.problem:
                log.info("SLURM answers again")
            self.problem = None

    async def sync(self) -> None:
        """Cancel what users stopped, submit what is queued, follow what runs, clean up what ended."""
        active = list(
            Job.select(*FIELDS).where((Job.executor == "slurm") & Job.status.in_(list(ACTIVE))).order_by(Job.queue_seq)
        )
        if not self.resynchronised:
            self.resynchronised = True
            submitted = [job for job in active if job.external_id]
            if submitted:
                log.info("re-synchronising %d SLURM job(s) submitted by an earlier engine", len(submitted))
        for job in active:
            if job.cancellation_requested and job.external_id and job.id not in self.scancelled:
                await client.cancel(job.external_id)
                self.scancelled.add(job.id)
                log.info("job %s: scancel %s", job.id[:8], job.external_id)
        for job in active:
            if job.status == Status.QUEUED and not job.external_id and not job.cancellation_requested:
                await self._submit(job)
        watched = list(
            Job.select(*FIELDS).where(
                (Job.executor == "slurm") & Job.status.in_(list(ACTIVE)) & Job.external_id.is_null(False)
            )
        )
        records = await self._records([job.external_id for job in watched])
        for job in watched:
            await self._follow(job, records.get(job.external_id))
        await self._sweep({job.id for job in active})

    async def _records(self, slurm_ids: list[str]) -> dict[str, Record | None]:
        """SLURM's record of each job: squeue for live ones, scontrol (with the exit code) for ended ones,
        accounting for those the controller forgot; None when no one knows the job any more."""
        found: dict[str, Record | None] = dict(await client.queue(slurm_ids))
        for slurm_id in slurm_ids:
            record = found.get(slurm_id)
            state = lookup(record.state) if record else None
            if record is None or (state is not None and state.phase not in (Phase.WAITING, Phase.RUNNING)):
                found[slurm_id] = await client.show(slurm_id) or await client.accounting(slurm_id) or record
        return found

    # ------------------------------------------------------------ submission

    async def _submit(self, job: Job) -> None:
        job_dir = JobDir.of(self.home, job.id)
        if job_dir.exists() and await self._adopt(job, job_dir):
            return
        if not lease.holds(self.token):
            return  # the loop notices the lost lease at its next heartbeat and stops
        config = json.loads(job.config_json)
        request = {
            "job_id": job.id,
            "kind": job.kind,
            "home": str(self.home.root),
            "config": {key: value for key, value in config.items() if key not in COMMON_KEYS},
            "cost_model": await cost_model.fitted(job.kind),
        }
        options = {key: value for key, value in config.get("executor", {}).items() if key != "kind"}
        job_dir.create(request, batch.script(job.id, job_dir))
        link_log(self.home, job_dir, job.id)
        try:
            slurm_id = await client.submit(job_dir.script, batch.sbatch_options(job.id, job_dir, options))
        except SlurmRefused as exc:
            self._fail_submission(job, job_dir, f"SLURM refused the job: {exc}")
            return
        except SlurmUnavailable as exc:
            self._show(job.id, stage="pending", stage_message=f"waiting for SLURM: {exc}"[:300])
            raise
        job_dir.record_slurm_id(slurm_id)
        jobs.update_job(job.id, external_id=slurm_id)
        log.info("job %s submitted as SLURM job %s", job.id[:8], slurm_id)

    async def _adopt(self, job: Job, job_dir: JobDir) -> bool:
        """An earlier engine got as far as the job directory: if SLURM has the job, keep it, never submit twice."""
        slurm_id = job_dir.slurm_id()
        if slurm_id is None:
            named = await client.find_by_name(batch.job_name(job.id))
            slurm_id = named[0] if named else None
        if slurm_id is None:
            return False
        job_dir.record_slurm_id(slurm_id)
        jobs.update_job(job.id, external_id=slurm_id)
        log.info("job %s: found its earlier submission, SLURM job %s", job.id[:8], slurm_id)
        return True

    def _fail_submission(self, job: Job, job_dir: JobDir, message: str) -> None:
        try:
            fail_before_start(job.id, message)
        except IllegalTransition:
            pass  # cancelled meanwhile: nothing was submitted, nothing to record
        else:
            self._announce(job, Status.ERROR)
        self._clean_up(job.id, job_dir)
        log.warning("job %s: %s", job.id[:8], message)

    # ------------------------------------------------------------ following

    async def _follow(self, job: Job, record: Record | None) -> None:
        slurm_id = job.external_id
        job_dir = JobDir.of(self.home, job.id)
        if record is None:
            self._end_with(
                job,
                job_dir,
                Status.ERROR,
                f"SLURM job {slurm_id} vanished without a final state (squeue, scontrol and sacct no longer know it)",
            )
            return
        state = lookup(record.state)
        if state is None:
            await client.cancel(slurm_id)
            self._end_with(
                job,
                job_dir,
                Status.ERROR,
                f"SLURM job {slurm_id} is in a state hornq does not know "
                f"({record.state!r}); it was cancelled so nothing runs "
                "unwatched",
            )
            return
        if state.phase is Phase.WAITING:
            reason = f" ({record.reason})" if record.reason else ""
            stage = "pending" if job.status == Status.QUEUED else "requeued"
            self._show(job.id, stage=stage, stage_message=f"SLURM {slurm_id}: {state.meaning}{reason}")
            return
        if job.status == Status.QUEUED and state.phase is not Phase.CANCELLED:
            self._start(job, record)
        self._read_progress(job.id, job_dir)
        if state.phase is Phase.RUNNING:
            if state.name != "RUNNING":
                self._show(job.id, stage_message=f"SLURM {slurm_id}: {state.meaning}")
            return
        cancel_requested = job.cancellation_requested or job.id in self.scancelled
        if state.phase is Phase.COMPLETED and not cancel_requested and not results_ready(job.kind, job_dir):
            first = self.finished_at.setdefault(job.id, time.monotonic())
            if time.monotonic() - first < RESULTS_GRACE_S:
                return
        verdict = judge(slurm_id, record, state, job_dir, cancel_requested=cancel_requested)
        try:
            status = write_end(job, verdict, job_dir)
        except IllegalTransition:
            return  # someone else ended it (a queued job cancelled meanwhile): the sweep scancels
        log.info("job %s %s: %s", job.id[:8], status, verdict.message)
        self._announce(job, status)
        self._clean_up(job.id, job_dir)

    def _start(self, job: Job, record: Record) -> None:
        where = f" on {record.nodes}" if record.nodes else ""
        try:
            transition(
                job.id,
                Status.RUNNING,
                source=Source.SLURM,
                expect=Status.QUEUED,
                message=f"SLURM job {job.external_id} started{where}",
                stage="running",
                stage_message=None,
                progress=0.0,
            )
        except IllegalTransition:
            return
        job.status = Status.RUNNING
        self.written.pop(job.id, None)

    def _read_progress(self, job_id: str, job_dir: JobDir) -> None:
        events, self.offsets[job_id] = job_dir.read_events(self.offsets.get(job_id, 0))
        progress = [event for event in events if event.get("ev") == "progress"]
        if progress:
            last = progress[-1]
            fields: dict[str, object] = {
                "progress": float(last.get("fraction") or 0.0),
                "stage_message": last.get("message"),
            }
            if last.get("stage"):
                fields["stage"] = last["stage"]
            fields["remaining_s"] = last.get("remaining")
            fields["remaining_at"] = last.get("at") if last.get("remaining") is not None else None
            self._show(job_id, **fields)

    def _show(self, job_id: str, **fields: object) -> None:
        """Write progress fields that changed since the last write (each write moves the change counter)."""
        shown = self.written.setdefault(job_id, {})
        changed = {key: value for key, value in fields.items() if shown.get(key, ...) != value}
        if changed:
            jobs.update_job(job_id, **changed)
            shown.update(changed)

    def _end_with(self, job: Job, job_dir: JobDir, status: Status, message: str) -> None:
        try:
            write_end(job, ending(status, message), job_dir)
        except IllegalTransition:
            return
        log.warning("job %s: %s", job.id[:8], message)
        self._announce(job, status)
        self._clean_up(job.id, job_dir)

    # ------------------------------------------------------------ ending

    def _announce(self, job: Job, status: Status) -> None:
        run_on_finish(settings.get("on_finish"), self.home, finish_fields(job, status))

    def _clean_up(self, job_id: str, job_dir: JobDir) -> None:
        keep_log(self.home, job_dir, job_id)
        job_dir.remove()
        for memory in (self.offsets, self.written, self.finished_at):
            memory.pop(job_id, None)
        self.scancelled.discard(job_id)

    async def _sweep(self, active_ids: set[str]) -> None:
        """Job directories of jobs that ended elsewhere (a queued job cancelled, a job deleted): make sure
        their SLURM job is gone, keep the log, remove the directory."""
        root = job_root(self.home)
        if not root.is_dir():
            return
        for path in root.iterdir():
            if not JOB_ID_RE.match(path.name) or path.name in active_ids or not self._ours(path):
                continue
            job_dir = JobDir(path)
            slurm_id = job_dir.slurm_id()
            if slurm_id:
                await client.cancel(slurm_id)
                log.info("job %s ended in hornq: scancel %s", path.name[:8], slurm_id)
            self._clean_up(path.name, job_dir)

    def _ours(self, path: Path) -> bool:
        """A directory of a job in this database, or one that names this HORNQ_HOME (a job deleted since)."""
        if Job.select().where(Job.id == path.name).exists():
            return True
        try:
            return JobDir(path).request().get("home") == str(self.home.root)
        except (OSError, ValueError):
            return False
