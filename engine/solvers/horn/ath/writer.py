"""The imported config as commented TOML: each value says which ATH key and line it came from, and the head of
the file lists the ATH keys hornq does not use, so the file alone tells what was carried over."""

from __future__ import annotations

import json
from typing import Any

from engine.solvers.horn.ath.draft import Draft, Setting

SECTIONS = ("horn", "mesh", "sweep", "observation", "solver")
#: The column comments beside values start at, as in hornq's example config.
COMMENT_COLUMN = 32


def write(draft: Draft, source: str) -> str:
    lines = [
        f"# hornq horn job imported from the ATH config {json.dumps(source, ensure_ascii=False)} (hornq import-ath).",
        "# Units as in ATH: millimetres and degrees for the geometry, metres for the polar distance.",
        "# hornq solves the horn free-standing: the profile's wall, given a thickness and closed at the rear.",
    ]
    if draft.notes:
        lines += ["#", "# ATH keys hornq does not use:"]
        lines += [f"#   {note}" for note in draft.notes]
    lines.append(_assignment("kind", "horn", ""))
    if draft.label is not None:
        lines.append(_assignment("label", draft.label.value, draft.label.origin))
    for name in SECTIONS:
        table: dict[str, Setting] = draft.sections.get(name, {})
        remarks = draft.remarks.get(name, [])
        if not table and not remarks:
            continue
        lines += ["", f"[{name}]"]
        lines += [f"# {remark}" for remark in remarks]
        lines += [_assignment(key, setting.value, setting.origin) for key, setting in table.items()]
    return "\n".join(lines) + "\n"


def _assignment(key: str, value: Any, origin: str) -> str:
    text = f"{key} = {toml_value(value)}"
    if not origin:
        return text
    return f"{text:<{COMMENT_COLUMN - 1}} # {origin}" if len(text) < COMMENT_COLUMN - 1 else f"{text}  # {origin}"


def toml_value(value: Any) -> str:
    """A number, string or list as TOML: whole numbers without a decimal point, strings as basic strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")
