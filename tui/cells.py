"""How a job's fields look in a table cell: coloured status, a progress bar, short durations."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from engine.solvers import entry
from engine.store.watch import JobView
from engine.text import one_line
from engine.timing import duration as duration
from engine.timing import elapsed_s as elapsed_s
from engine.timing import eta_s as eta_s
from engine.timing import parse_time

STATUS_STYLES = {
    "queued": "cyan",
    "running": "bold dodger_blue1",
    "complete": "green",
    "error": "bold red",
    "cancelled": "magenta",
}
BAR_STYLES = {"running": "dodger_blue1", "complete": "green", "error": "red", "cancelled": "magenta"}
BAR_WIDTH = 8


def status_text(status: str) -> Text:
    return Text(status, style=STATUS_STYLES.get(status, ""))


def progress_bar(job: JobView, width: int = BAR_WIDTH) -> Text:
    """A bar of eighth-blocks and the percentage, coloured by status."""
    fraction = 0.0 if job.status == "queued" else job.progress
    return bar(fraction, job.status, width)


def bar(fraction: float, status: str, width: int = BAR_WIDTH) -> Text:
    """A fraction as a bar of eighth-blocks and a percentage, in the colour of a status."""
    fraction = max(0.0, min(1.0, fraction))
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    blocks = "█" * full + (" ▏▎▍▌▋▊▉"[part] if part else "")
    text = Text(blocks.ljust(width), style=BAR_STYLES.get(status, "dim"))
    text.stylize("on grey23", len(blocks.rstrip()), width)
    text.append(f" {fraction:4.0%}", style="dim" if status == "queued" else "")
    return text


def short_time(iso: str | None, now: datetime) -> str:
    when = parse_time(iso)
    if when is None:
        return ""
    local = when.astimezone(now.astimezone().tzinfo)
    if local.date() == now.astimezone().date():
        return local.strftime("%H:%M:%S")
    return local.strftime("%m-%d %H:%M")


def message(job: JobView) -> Text:
    text = job.error_message if job.status == "error" else job.stage_message
    return Text(one_line(text or "", 200), style="red" if job.status == "error" else "")


def label(job: JobView) -> Text:
    return Text(one_line(job.label or "", 40))


def summary_line(job: JobView) -> str:
    describe = entry(job.kind, "summary_line")
    if describe is not None:
        return describe(job.summary)
    return one_line(str(job.summary.get("command", "")), 120)
