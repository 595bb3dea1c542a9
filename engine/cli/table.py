"""Plain-text job lists for the terminal (the TUI has its own widgets)."""

from __future__ import annotations

import shutil
from datetime import datetime

from engine.store.models import Job
from engine.text import one_line


def local_time(iso: str | None) -> str:
    if not iso:
        return "-"
    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def jobs_table(items: list[Job], total: int, offset: int) -> str:
    if not items:
        return "no jobs" if total == 0 else f"no jobs at offset {offset} (total {total})"
    width = shutil.get_terminal_size((120, 24)).columns
    rows = [("ID", "STATUS", "PROG", "KIND", "LABEL", "CREATED", "MESSAGE")]
    for job in items:
        message = job.error_message if job.status == "error" else job.stage_message
        rows.append(
            (
                job.id[:8],
                job.status,
                f"{job.progress:4.0%}",
                job.kind,
                one_line(job.label or "-", 24),
                local_time(job.created_at),
                one_line(message or "", 200),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1]
        lines.append(line[:width].rstrip())
    shown = f"{offset + 1}-{offset + len(items)} of {total}"
    lines.append(shown)
    return "\n".join(lines)
