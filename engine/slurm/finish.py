"""How a SLURM job's end becomes the hornq job's end: one verdict, written in one transaction.

SLURM's final state decides the status; the job directory adds the details (the worker's message,
the results). As for local jobs, a cancel requested at any moment wins over a late success, and
results are stored in the same transaction that marks the job ``complete``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.run.outcome import describe_exit
from engine.slurm.jobdir import JobDir
from engine.slurm.parse import Record
from engine.slurm.states import Phase, State
from engine.store import lifecycle, results
from engine.store.lifecycle import Source, Status
from engine.store.models import Job, database


@dataclass(frozen=True)
class Ending:
    status: Status
    message: str
    exit_code: int | None = None


def results_ready(kind: str, job_dir: JobDir) -> bool:
    """The worker finished writing: its outcome says complete and, for a solver, results.json is there."""
    outcome = job_dir.outcome()
    if outcome is None or outcome.get("status") != "complete":
        return False
    return kind == "command" or job_dir.results_file.is_file()


def judge(slurm_id: str, record: Record, state: State, job_dir: JobDir, *, cancel_requested: bool) -> Ending:
    """The ending of a job SLURM reports finished (``state.phase`` is COMPLETED, FAILED or CANCELLED)."""
    outcome = job_dir.outcome() or {}
    exit_code = outcome.get("exit_code", record.exit_code)
    if cancel_requested:
        return Ending(Status.CANCELLED, f"cancelled by user (SLURM job {slurm_id} ended {record.state})", exit_code)
    if state.phase is Phase.CANCELLED:
        return Ending(Status.CANCELLED, f"SLURM job {slurm_id} was cancelled outside hornq (SLURM says "
                                        f"{record.state}, e.g. scancel by a user or an administrator)", exit_code)
    if state.phase is Phase.COMPLETED and outcome.get("status") == "complete":
        return Ending(Status.COMPLETE, f"SLURM job {slurm_id} completed", exit_code)
    if state.phase is Phase.COMPLETED:
        return Ending(Status.ERROR, f"SLURM job {slurm_id} completed but left no results in {job_dir.path}",
                      exit_code)
    if state.name == "FAILED":
        detail = outcome.get("message") or _describe(record)
        return Ending(Status.ERROR, f"SLURM job {slurm_id} failed: {detail}", exit_code)
    return Ending(Status.ERROR, f"SLURM job {slurm_id} {state.meaning} ({state.name})", exit_code)


def _describe(record: Record) -> str:
    if record.signal:
        return describe_exit(-record.signal)
    if record.exit_code is not None:
        return describe_exit(record.exit_code)
    return "no exit code reported"


def write_end(job: Job, ending: Ending, job_dir: JobDir) -> Status:
    """Record the ending; re-checks a cancel request inside the transaction, so a cancel still wins."""
    with database.atomic():
        current = Job.get_by_id(job.id)
        if current.cancellation_requested and ending.status is not Status.CANCELLED:
            ending = Ending(Status.CANCELLED, "cancelled by user (the SLURM job ended first; results discarded)",
                            ending.exit_code)
        if current.status == Status.QUEUED and ending.status is not Status.CANCELLED:
            # The job started and ended between two polls: show that it ran before it ended.
            lifecycle.transition(job.id, Status.RUNNING, source=Source.SLURM, expect=Status.QUEUED,
                                 message=f"SLURM job {job.external_id} started and ended between two polls")
        fields: dict[str, Any] = {"exit_code": ending.exit_code, "stage_message": None}
        if ending.status is Status.ERROR:
            fields["error_message"] = ending.message
        if ending.status is Status.COMPLETE:
            fields.update(_store_results(job, job_dir))
        lifecycle.transition(job.id, ending.status, source=Source.SLURM, message=ending.message, **fields)
    return ending.status


def fail_before_start(job_id: str, message: str) -> None:
    """A job SLURM never ran (refused at submission): queued → running → error, so the history tells why."""
    with database.atomic():
        lifecycle.transition(job_id, Status.RUNNING, source=Source.SLURM, expect=Status.QUEUED,
                             message="submitting to SLURM")
        lifecycle.transition(job_id, Status.ERROR, source=Source.SLURM, message=message, error_message=message,
                             stage_message=None)


def _store_results(job: Job, job_dir: JobDir) -> dict[str, Any]:
    """Results and artifacts exactly as a local run stores them."""
    if job.kind == "command":
        outcome = job_dir.outcome() or {}
        summary = results.command_results(job, outcome.get("exit_code", 0), outcome.get("duration_s"))
        return results.store(job, summary, {})
    return results.store(job, *results.read_output(job_dir.path))
