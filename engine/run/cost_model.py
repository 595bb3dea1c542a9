"""The cost figures the engine hands each solver job, so that a running job can tell how long it has left.

They are the ones ``hornq estimate`` uses, refitted from this home's newest finished jobs of the kind whenever a
job starts: every finished job sharpens the next job's ETA. The fit is pure Python but not instant (a fifth of a
second over a hundred jobs), so it runs off the event loop; a fit that fails costs the job its ETA, never its run.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from engine.solvers import entry
from engine.store import results
from engine.store.estimates import HISTORY_JOBS

log = logging.getLogger(__name__)


async def fitted(kind: str) -> dict[str, Any] | None:
    """The kind's ``cost_model`` fitted from its finished jobs; None for a kind without one or when it fails."""
    fit = entry(kind, "cost_model")
    if fit is None:
        return None
    try:
        history = results.finished_runs(kind, HISTORY_JOBS)
        return await asyncio.to_thread(fit, history)
    except Exception:
        log.exception("could not fit the %s cost model; the job runs without an ETA model", kind)
        return None
