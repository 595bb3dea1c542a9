"""SLURM job states and what each one means for a hornq job.

SLURM speaks in two spellings (``squeue %t`` compact codes, ``%T`` / ``scontrol`` / ``sacct`` long
names); both map here. Anything not listed is unknown and becomes a clear error rather than a guess:
a state hornq does not understand must never leave a job looking healthy.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Phase(Enum):
    """Where a SLURM job stands, in hornq's terms."""

    WAITING = "waiting"  # not started (or requeued): a queued hornq job stays queued
    RUNNING = "running"
    COMPLETED = "completed"  # ended successfully: results are expected in the job directory
    FAILED = "failed"  # ended without success: the hornq job becomes error
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class State:
    name: str
    code: str
    phase: Phase
    meaning: str


STATES: tuple[State, ...] = (
    State("PENDING", "PD", Phase.WAITING, "pending"),
    State("CONFIGURING", "CF", Phase.WAITING, "waiting for its nodes to boot"),
    State("REQUEUED", "RQ", Phase.WAITING, "requeued"),
    State("REQUEUE_HOLD", "RH", Phase.WAITING, "requeued and held"),
    State("REQUEUE_FED", "RF", Phase.WAITING, "requeued by the federation"),
    State("RESV_DEL_HOLD", "RD", Phase.WAITING, "held: its reservation was deleted"),
    State("RUNNING", "R", Phase.RUNNING, "running"),
    State("COMPLETING", "CG", Phase.RUNNING, "completing"),
    State("SUSPENDED", "S", Phase.RUNNING, "suspended"),
    State("STOPPED", "ST", Phase.RUNNING, "stopped by a signal"),
    State("SIGNALING", "SI", Phase.RUNNING, "being signalled"),
    State("STAGE_OUT", "SO", Phase.RUNNING, "staging out"),
    State("RESIZING", "RS", Phase.RUNNING, "resizing"),
    State("COMPLETED", "CD", Phase.COMPLETED, "completed"),
    State("CANCELLED", "CA", Phase.CANCELLED, "cancelled"),
    State("FAILED", "F", Phase.FAILED, "failed"),
    State("TIMEOUT", "TO", Phase.FAILED, "reached its time limit (raise [executor] time_limit)"),
    State("NODE_FAIL", "NF", Phase.FAILED, "lost its node (node failure)"),
    State("PREEMPTED", "PR", Phase.FAILED, "was preempted by a higher-priority job"),
    State("OUT_OF_MEMORY", "OOM", Phase.FAILED, "ran out of memory (raise [executor] memory)"),
    State("BOOT_FAIL", "BF", Phase.FAILED, "could not boot its node"),
    State("DEADLINE", "DL", Phase.FAILED, "missed its deadline"),
    State("SPECIAL_EXIT", "SE", Phase.FAILED, "ended with a special exit"),
    State("REVOKED", "RV", Phase.FAILED, "was revoked by its federation"),
)
_BY_SPELLING = {spelling: state for state in STATES for spelling in (state.name, state.code)}


def lookup(text: str) -> State | None:
    """The state named by squeue, scontrol or sacct, or None if hornq does not know it.

    sacct writes a cancelled job as ``CANCELLED by 1000`` and may add a ``+`` flag; only the first
    word (without flags) is the state.
    """
    words = text.strip().split()
    word = words[0].rstrip("+").upper() if words else ""
    return _BY_SPELLING.get(word)
