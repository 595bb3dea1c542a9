"""A job's partial results wherever they are: the file its worker rewrites while it runs (in the local work
directory or the SLURM job directory), or the copy stored when it ended without complete results."""

from __future__ import annotations

from typing import Any

from engine.paths import Home
from engine.run.output import read_partial
from engine.run.slurm.jobdir import JobDir
from engine.store import jobs, results
from engine.store.lifecycle import Status
from engine.store.models import Job


def partial_results(home: Home, job: Job) -> dict[str, Any] | None:
    """The frequencies solved so far with their ``"partial": {"solved", "of"}`` marker, or None if there are none.

    A job that ends between the look at its status and the read of its file has had them stored by then.
    """
    if job.status == Status.RUNNING:
        directory = JobDir.of(home, job.id).path if job.executor == "slurm" else home.job_workdir(job.id)
        found = read_partial(directory)
        if found is not None:
            return found
        job = jobs.get(job.id)
    return None if job.status in (Status.QUEUED, Status.RUNNING) else results.stored_partial(job.id)


def partial_markers(home: Home, listed: list[Job]) -> dict[str, dict[str, Any]]:
    """``{"solved", "of"}`` of each listed job with partial results: the running ones' from their files, the
    ended ones' from the stored copies."""
    ended = [job.id for job in listed if job.status not in (Status.QUEUED, Status.RUNNING)]
    markers = results.stored_partial_markers(ended)
    for job in listed:
        if job.status == Status.RUNNING and (found := partial_results(home, job)) is not None:
            markers[job.id] = found["partial"]
    return markers


def solved_line(partial: dict[str, Any]) -> str:
    """``3 of 40 frequencies``: how much of the sweep partial results hold."""
    marker = partial.get("partial") or {}
    return f"{marker.get('solved', '?')} of {marker.get('of', '?')} frequencies"
