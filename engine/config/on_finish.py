"""The ``on_finish`` setting: an argv template (never a shell string) run when a job ends.

Each argument may hold ``{id}``, ``{short_id}``, ``{status}``, ``{label}`` and ``{kind}``, substituted per
argument, so a label can never inject arguments or shell syntax.
"""

from __future__ import annotations

import shlex

FIELDS = ("id", "short_id", "status", "label", "kind")


def parse_template(text: str) -> list[str]:
    """The setting as typed (shell-like quoting, for convenience only) → argv template; empty disables."""
    argv = shlex.split(text)
    for arg in argv:
        try:
            arg.format_map({name: "" for name in FIELDS})
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"unknown placeholder in {arg!r} (use {', '.join('{' + f + '}' for f in FIELDS)})"
            ) from exc
    return argv
