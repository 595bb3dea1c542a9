"""What a starting engine does about the previous engine's unfinished work."""

from __future__ import annotations

import signal

from engine.procs import kill_group, live_ids
from engine.store import lifecycle
from engine.store.lifecycle import Source, Status
from engine.store.models import Job, database

INTERRUPTED = "interrupted: the engine stopped during execution"


def recover() -> list[str]:
    """Read top to bottom: running jobs of a dead engine → killed and ``error``; queued jobs stay queued.

    Runs while holding the lease, so no live engine owns these jobs. Their process groups are killed
    only if their members started no earlier than the recorded process (never a recycled pid).
    Queued jobs keep their FIFO place (queue_seq is untouched). Returns the ids marked interrupted.
    All of it is one transaction, and /proc is read once: a group none of whose processes is alive
    cannot be signalled, and checking that per job (a /proc scan each) made recovery take seconds.
    """
    interrupted = []
    alive = live_ids()
    with database.atomic():
        orphans = list(
            Job.select(Job.id, Job.worker_pid, Job.worker_start_ticks).where(
                (Job.status == Status.RUNNING) & (Job.executor == "local")
            )
        )
        for job in orphans:
            if job.worker_pid in alive:
                kill_group(job.worker_pid, job.worker_start_ticks, signal.SIGKILL)
            lifecycle.transition(
                job.id,
                Status.ERROR,
                source=Source.RECOVERY,
                message=INTERRUPTED,
                error_message=INTERRUPTED,
                stage_message=None,
            )
            interrupted.append(job.id)
    return interrupted
