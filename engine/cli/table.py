"""Plain-text job lists for the terminal (the TUI has its own widgets).

A list fits the terminal's width, so a line never wraps: long cells end in "…", and a column that would
leave the label and the message too little room is left out (the creation time first, then the kind).
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

from engine.store.models import Job
from engine.text import one_line
from engine.timing import duration, elapsed_s, eta_s

GAP = "  "
#: Columns left out, in this order, while the label and the message have less than ``ROOM`` between them;
#: the label takes at most half of what they have when there are messages to show.
OPTIONAL = ("CREATED", "KIND")
ROOM = 40
LABEL_MAX = 40
LABEL_MIN = 12


def local_time(iso: str | None) -> str:
    if not iso:
        return "-"
    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, its last one "…" when something was cut."""
    if len(text) <= width:
        return text
    return text[: width - 1] + "…" if width > 0 else ""


def jobs_table(items: list[Job], total: int, offset: int) -> str:
    if not items:
        return "no jobs" if total == 0 else f"no jobs at offset {offset} (total {total})"
    width = shutil.get_terminal_size((120, 24)).columns
    now = datetime.now(UTC)
    cells = {
        "ID": [job.id[:8] for job in items],
        "STATUS": [job.status for job in items],
        "PROG": [f"{job.progress:4.0%}" for job in items],
        "ELAPSED": [duration(elapsed_s(job, now)) for job in items],
        "ETA": [duration(eta_s(job, now)) for job in items],
        "KIND": [job.kind for job in items],
        "LABEL": [one_line(job.label or "-") for job in items],
        "CREATED": [local_time(job.created_at) for job in items],
        "MESSAGE": [
            one_line((job.error_message if job.status == "error" else job.stage_message) or "") for job in items
        ],
    }
    widths = {title: max(len(title), *map(len, column)) for title, column in cells.items()}
    for title in OPTIONAL:
        if _room(widths, width) >= ROOM:
            break
        del cells[title], widths[title]
    room = _room(widths, width)
    message = min(widths["MESSAGE"], room // 2)
    widths["LABEL"] = min(widths["LABEL"], LABEL_MAX, max(LABEL_MIN, room - message))
    widths["MESSAGE"] = max(0, room - widths["LABEL"])
    rows = [list(cells)] + [list(row) for row in zip(*cells.values(), strict=True)]
    lines = [
        fit(GAP.join(fit(cell, w).ljust(w) for cell, w in zip(row, widths.values(), strict=True)).rstrip(), width)
        for row in rows
    ]
    lines.append(f"{offset + 1}-{offset + len(items)} of {total}")
    return "\n".join(lines)


def _room(widths: dict[str, int], width: int) -> int:
    """What the label and the message have between them on a line of ``width`` with these columns."""
    others = sum(w for title, w in widths.items() if title not in ("LABEL", "MESSAGE"))
    return width - others - len(GAP) * (len(widths) - 1)
