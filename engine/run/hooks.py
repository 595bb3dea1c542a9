"""The ``on_finish`` hook: a user's program run when a job ends, as an argv list (never a shell).

The setting (``engine.config.on_finish``) is an argv template; each argument's placeholders are
substituted on their own, so a label can never inject arguments or shell syntax.
"""

from __future__ import annotations

import logging
import subprocess
from typing import Any

from engine.config.on_finish import FIELDS
from engine.paths import Home, open_private
from engine.store.lifecycle import Status
from engine.store.models import Job

log = logging.getLogger("hornq.engine")


def finish_fields(job: Job, status: Status) -> dict[str, Any]:
    """The values a hook's placeholders take for a job that just ended."""
    return {"id": job.id, "short_id": job.id[:8], "status": status.value, "label": job.label, "kind": job.kind}


def run_on_finish(template: list[str], home: Home, values: dict[str, Any]) -> None:
    """Start the hook detached, with its output in the engine log; the engine does not wait for it."""
    if not template:
        return
    fields = {name: "" if values.get(name) is None else str(values[name]) for name in FIELDS}
    argv = [arg.format_map(fields) for arg in template]
    try:
        with open_private(home.root / "hooks.log", "ab") as out:
            subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True, cwd=str(home.root)
            )
    except OSError as exc:
        log.warning("on_finish hook %s could not start: %s", argv[0], exc)
