"""The engine lease: exactly one engine owns a HORNQ_HOME at a time.

The lease row names its owner by pid *and* process start time (a recycled pid is not the owner)
and carries a heartbeat; a lease whose owner is gone or whose heartbeat is older than
``STALE_AFTER_S`` may be taken over. Claims check the lease in their own transaction, so even an
engine that lost its lease unawares can never claim a job.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass

from engine.errors import EngineError
from engine.procs import is_alive, start_ticks
from engine.store import sql
from engine.store.models import EngineLease, database, utcnow

STALE_AFTER_S = 30.0
HEARTBEAT_S = 5.0
LEASE_ID = 1


@dataclass(frozen=True)
class LeaseInfo:
    pid: int
    host: str
    start_ticks: int
    started_at: str
    heartbeat_age_s: float
    stop_requested: str | None
    live: bool


def _is_live(row: EngineLease, now: float) -> bool:
    fresh = now - row.heartbeat_at <= STALE_AFTER_S
    if row.host != socket.gethostname():
        return fresh
    return fresh and is_alive(row.pid, row.start_ticks)


def current() -> LeaseInfo | None:
    row = sql.lease_row(LEASE_ID)  # the app asks on every poll
    if row is None:
        return None
    now = time.time()
    return LeaseInfo(
        pid=row.pid,
        host=row.host,
        start_ticks=row.start_ticks,
        started_at=row.started_at,
        heartbeat_age_s=max(0.0, now - row.heartbeat_at),
        stop_requested=row.stop_requested,
        live=_is_live(row, now),
    )


def live_engine() -> LeaseInfo | None:
    info = current()
    return info if info is not None and info.live else None


def acquire(token: str) -> None:
    """Take the lease, or refuse with who holds it while that owner is live."""
    pid = os.getpid()
    now = time.time()
    with database.atomic():
        row = EngineLease.get_or_none(EngineLease.id == LEASE_ID)
        if row is not None and row.token != token and _is_live(row, now):
            raise EngineError(f"an engine is already running for this HORNQ_HOME (pid {row.pid} on {row.host})")
        EngineLease.insert(
            id=LEASE_ID,
            token=token,
            pid=pid,
            host=socket.gethostname(),
            start_ticks=start_ticks(pid) or 0,
            started_at=utcnow(),
            heartbeat_at=now,
            stop_requested=None,
        ).on_conflict_replace().execute()


def holds(token: str) -> bool:
    """Whether this token still owns the lease; call inside the transaction that depends on it."""
    return sql.lease_held(LEASE_ID, token)


def heartbeat(token: str) -> bool:
    """Refresh the heartbeat; False means the lease was lost to another engine."""
    with database.atomic():
        changed = (
            EngineLease.update(heartbeat_at=time.time())
            .where((EngineLease.id == LEASE_ID) & (EngineLease.token == token))
            .execute()
        )
    return changed == 1


def stop_request(token: str) -> str | None:
    row = EngineLease.select(EngineLease.stop_requested).where(EngineLease.token == token).first()
    return row.stop_requested if row else None


def request_stop(mode: str) -> LeaseInfo:
    """Ask the live engine to stop: ``cancel`` running jobs, or ``drain`` them first."""
    with database.atomic():
        info = live_engine()
        if info is None:
            raise EngineError("no engine is running")
        EngineLease.update(stop_requested=mode).where(EngineLease.id == LEASE_ID).execute()
    return info


def release(token: str) -> None:
    with database.atomic():
        EngineLease.delete().where((EngineLease.id == LEASE_ID) & (EngineLease.token == token)).execute()
