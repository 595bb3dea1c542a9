"""Progress reaches the database at most a few times a second per job, and the last value always lands."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

MIN_INTERVAL_S = 0.25


class Throttle:
    """Coalesces updates: the newest pending fields are written at most every MIN_INTERVAL_S."""

    def __init__(self, write: Callable[[dict[str, Any]], None], interval: float = MIN_INTERVAL_S) -> None:
        self._write = write
        self._interval = interval
        self._pending: dict[str, Any] = {}
        self._last = 0.0
        self._timer: asyncio.TimerHandle | None = None

    def update(self, **fields: Any) -> None:
        self._pending.update(fields)
        wait = self._last + self._interval - time.monotonic()
        if wait <= 0:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(wait, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._pending:
            fields, self._pending = self._pending, {}
            self._last = time.monotonic()
            self._write(fields)

    def close(self) -> None:
        """Drop what is pending: the run's final state supersedes it."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._pending = {}
