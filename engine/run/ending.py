"""How a run's end is recorded, locally or on SLURM: one verdict, written in one transaction.

A cancel requested at any moment wins over a late success: the request is re-read inside the
transaction that records the end, and a success's results are stored in that same transaction, so
a job is never ``complete`` without its results. A solver run that ends otherwise keeps the frequencies it
solved as partial results, stored in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from engine.run.outcome import Outcome
from engine.run.output import read_output, read_partial
from engine.store import lifecycle, results, sql
from engine.store.lifecycle import Source, Status
from engine.store.models import Job, database


@dataclass(frozen=True)
class Verdict:
    """How a job ended: its final status, who ended it and why (the message of its history row)."""

    status: Status
    source: Source
    message: str | None
    exit_code: int | None = None


BY_USER = Verdict(Status.CANCELLED, Source.USER, "cancelled by user")
STOPPED = {"cancel": BY_USER, "shutdown": Verdict(Status.CANCELLED, Source.ENGINE, "cancelled: the engine was stopped")}


def run_verdict(stop_reason: str | None, outcome: Outcome, timeout_s: float) -> Verdict:
    """A local run's ending: why the engine stopped it, if it did, else what the run itself says."""
    if stop_reason in STOPPED:
        return replace(STOPPED[stop_reason], exit_code=outcome.exit_code)
    if stop_reason == "timeout":
        return Verdict(Status.ERROR, Source.ENGINE, f"timed out after {timeout_s:g} s", outcome.exit_code)
    if outcome.status is Status.COMPLETE:
        return Verdict(Status.COMPLETE, Source.ENGINE, None, outcome.exit_code)
    if outcome.status is Status.CANCELLED:
        return Verdict(Status.CANCELLED, Source.ENGINE, "the solver stopped", outcome.exit_code)
    return Verdict(Status.ERROR, Source.ENGINE, outcome.message, outcome.exit_code)


def record_end(
    job: Job,
    verdict: Verdict,
    *,
    cancelled: Verdict | None,
    output_dir: Path | None = None,
    duration_s: float | None = None,
    ran_unseen: str | None = None,
) -> Verdict:
    """Record the job's end and return the verdict recorded; raises IllegalTransition if it ended otherwise.

    ``cancelled`` is what the end becomes if a cancel is requested by now (None: the verdict stands).
    A solver's results, or its partial results, are read from ``output_dir``; a command's summary gets
    ``duration_s``.
    ``ran_unseen`` allows a job that still looks queued (it ran and ended between two looks): the
    history message recording that it ran. Without it the job must be running.
    """
    with database.atomic():
        current, cancel_requested = sql.job_end_state(job.id)
        if cancel_requested and cancelled is not None:
            verdict = replace(cancelled, exit_code=verdict.exit_code)
        if ran_unseen is not None and current == Status.QUEUED and verdict.status is not Status.CANCELLED:
            lifecycle.transition(
                job.id, Status.RUNNING, source=verdict.source, expect=Status.QUEUED, message=ran_unseen
            )
        fields: dict[str, Any] = {"exit_code": verdict.exit_code, "stage_message": None}
        if verdict.status is Status.ERROR:
            fields["error_message"] = verdict.message
        if verdict.status is Status.COMPLETE:
            fields.update(_store_results(job, verdict, output_dir, duration_s))
        elif output_dir is not None and (partial := read_partial(output_dir)) is not None:
            results.store_partial(job, partial)
        lifecycle.transition(
            job.id,
            verdict.status,
            source=verdict.source,
            message=verdict.message,
            expect=None if ran_unseen is not None else Status.RUNNING,
            **fields,
        )
    return verdict


def _store_results(job: Job, verdict: Verdict, output_dir: Path | None, duration_s: float | None) -> dict[str, Any]:
    if job.kind == "command":
        summary = {"job_id": job.id, "kind": job.kind, "exit_code": verdict.exit_code, "duration_s": duration_s}
        return results.store(job, summary, {})
    assert output_dir is not None, "a solver's results come from its output directory"
    return results.store(job, *read_output(output_dir))
