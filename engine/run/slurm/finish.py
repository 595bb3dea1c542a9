"""How a SLURM job's end becomes the hornq job's end: one verdict, written in one transaction.

SLURM's final state decides the status; the job directory adds the details (the worker's message,
the results). As for local jobs, a cancel requested at any moment wins over a late success, and
results are stored in the same transaction that marks the job ``complete``.
"""

from __future__ import annotations

from engine.run.ending import Verdict, record_end
from engine.run.outcome import describe_exit
from engine.run.slurm.jobdir import JobDir
from engine.run.slurm.parse import Record
from engine.run.slurm.states import Phase, State
from engine.store import lifecycle
from engine.store.lifecycle import Source, Status
from engine.store.models import Job, database

LATE_CANCEL = Verdict(
    Status.CANCELLED, Source.SLURM, "cancelled by user (the SLURM job ended first; results discarded)"
)


def ending(status: Status, message: str, exit_code: int | None = None) -> Verdict:
    """A verdict SLURM's record gives."""
    return Verdict(status, Source.SLURM, message, exit_code)


def results_ready(kind: str, job_dir: JobDir) -> bool:
    """The worker finished writing: its outcome says complete and, for a solver, results.json is there."""
    outcome = job_dir.outcome()
    if outcome is None or outcome.get("status") != "complete":
        return False
    return kind == "command" or job_dir.results_file.is_file()


def judge(slurm_id: str, record: Record, state: State, job_dir: JobDir, *, cancel_requested: bool) -> Verdict:
    """The ending of a job SLURM reports finished (``state.phase`` is COMPLETED, FAILED or CANCELLED)."""
    outcome = job_dir.outcome() or {}
    exit_code = outcome.get("exit_code", record.exit_code)
    if cancel_requested:
        return ending(Status.CANCELLED, f"cancelled by user (SLURM job {slurm_id} ended {record.state})", exit_code)
    if state.phase is Phase.CANCELLED:
        return ending(
            Status.CANCELLED,
            f"SLURM job {slurm_id} was cancelled outside hornq (SLURM says "
            f"{record.state}, e.g. scancel by a user or an administrator)",
            exit_code,
        )
    if state.phase is Phase.COMPLETED and outcome.get("status") == "complete":
        return ending(Status.COMPLETE, f"SLURM job {slurm_id} completed", exit_code)
    if state.phase is Phase.COMPLETED:
        return ending(Status.ERROR, f"SLURM job {slurm_id} completed but left no results in {job_dir.path}", exit_code)
    if state.name == "FAILED":
        detail = outcome.get("message") or _describe(record)
        return ending(Status.ERROR, f"SLURM job {slurm_id} failed: {detail}", exit_code)
    return ending(Status.ERROR, f"SLURM job {slurm_id} {state.meaning} ({state.name})", exit_code)


def _describe(record: Record) -> str:
    if record.signal:
        return describe_exit(-record.signal)
    if record.exit_code is not None:
        return describe_exit(record.exit_code)
    return "no exit code reported"


def write_end(job: Job, verdict: Verdict, job_dir: JobDir) -> Status:
    """Record the ending; a cancel requested by now still wins over anything but another cancel."""
    duration_s = (job_dir.outcome() or {}).get("duration_s") if job.kind == "command" else None
    recorded = record_end(
        job,
        verdict,
        cancelled=None if verdict.status is Status.CANCELLED else LATE_CANCEL,
        output_dir=job_dir.path,
        duration_s=duration_s,
        ran_unseen=f"SLURM job {job.external_id} started and ended between two polls",
    )
    return recorded.status


def fail_before_start(job_id: str, message: str) -> None:
    """A job SLURM never ran (refused at submission): queued → running → error, so the history tells why."""
    with database.atomic():
        lifecycle.transition(
            job_id, Status.RUNNING, source=Source.SLURM, expect=Status.QUEUED, message="submitting to SLURM"
        )
        lifecycle.transition(
            job_id, Status.ERROR, source=Source.SLURM, message=message, error_message=message, stage_message=None
        )
