"""The ``on_finish`` hook: a user's program run when a job ends, as an argv list (never a shell).

The setting is an argv template; each argument may hold ``{id}``, ``{short_id}``, ``{status}``,
``{label}`` and ``{kind}``, substituted per argument, so a label can never inject arguments or
shell syntax.
"""

from __future__ import annotations

import logging
import shlex
import subprocess
from typing import Any

from engine.paths import Home, open_private

log = logging.getLogger("hornq.engine")
FIELDS = ("id", "short_id", "status", "label", "kind")


def parse_template(text: str) -> list[str]:
    """The setting as typed (shell-like quoting, for convenience only) → argv template; empty disables."""
    argv = shlex.split(text)
    for arg in argv:
        try:
            arg.format_map({name: "" for name in FIELDS})
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"unknown placeholder in {arg!r} (use {', '.join('{' + f + '}' for f in FIELDS)})") \
                from exc
    return argv


def run_on_finish(template: list[str], home: Home, values: dict[str, Any]) -> None:
    """Start the hook detached, with its output in the engine log; the engine does not wait for it."""
    if not template:
        return
    fields = {name: "" if values.get(name) is None else str(values[name]) for name in FIELDS}
    argv = [arg.format_map(fields) for arg in template]
    try:
        with open_private(home.root / "hooks.log", "ab") as out:
            subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True,
                             cwd=str(home.root))
    except OSError as exc:
        log.warning("on_finish hook %s could not start: %s", argv[0], exc)
