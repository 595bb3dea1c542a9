"""A report as a file: PNG to post, SVG to scale, or one self-contained HTML page (the figure inline as a base64
PNG, the captions as HTML text, no external links, fonts or scripts), the format named by the file's suffix.

The whole file is built in memory before anything is written, so a report that cannot be drawn leaves no file.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib import rc_context

from engine.solvers.horn import REPORT_FORMATS
from engine.solvers.horn.report.document import Reported, Section, report_title
from engine.solvers.horn.report.figure import DPI, STYLE, build_figure

STYLESHEET = """
body { font-family: system-ui, sans-serif; color: #1d1f23; margin: 1.5em auto; max-width: 1500px; padding: 0 1em; }
h1 { font-size: 1.6em; margin: 0 0 .4em; }
h2 { font-size: 1.25em; margin: 1.4em 0 .4em; }
h3 { font-size: 1em; margin: 0 0 .3em; }
img { width: 100%; height: auto; }
.partial { color: #fff; background: #c00000; padding: .15em .5em; border-radius: .3em; font-weight: bold; }
.caption { display: grid; grid-template-columns: repeat(auto-fit, minmax(22em, 1fr)); gap: 1em;
           background: #f3f4f6; border: 1px solid #b0b4ba; padding: .8em 1em; }
table { border-collapse: collapse; }
th { text-align: left; font-weight: normal; color: #555; padding: .1em 1em .1em 0; vertical-align: top; }
td { padding: .1em 0; }
"""


def write_report(reported: Sequence[Mapping[str, Any]], path: Path) -> None:
    """Write the report of ``reported`` (``{"job_id", "label", "results", "config"}`` each) to ``path``."""
    jobs = [Reported.from_json(job) for job in reported]
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in REPORT_FORMATS:
        raise ValueError(f"a report is written as {', '.join(REPORT_FORMATS)}, not {fmt or 'a file without a suffix'}")
    content = html_page(jobs).encode("utf-8") if fmt == "html" else render(jobs, fmt)
    path.write_bytes(content)


def render(jobs: Sequence[Reported], fmt: str, *, caption: bool = True) -> bytes:
    """The figure as PNG or SVG bytes (an SVG without a creation date, so the same report gives the same file)."""
    metadata = {"Title": report_title(jobs)} | ({"Date": None} if fmt == "svg" else {})
    buffer = io.BytesIO()
    with rc_context(STYLE):  # ticks are made as they are drawn: they take the style then
        build_figure(jobs, caption=caption).savefig(buffer, format=fmt, dpi=DPI, metadata=metadata)
    return buffer.getvalue()


def html_page(jobs: Sequence[Reported]) -> str:
    """The figure without its caption boxes, then each job's caption as text: a page that reads and searches."""
    title = report_title(jobs)
    image = base64.b64encode(render(jobs, "png", caption=False)).decode("ascii")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{STYLESHEET}</style></head>",
        "<body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    parts.extend(
        f'<p><span class="partial">{html.escape(f"{job.name}: {job.partial}")}</span></p>'
        for job in jobs
        if job.partial
    )
    parts.append(f'<img alt="{html.escape(_alt(jobs))}" src="data:image/png;base64,{image}">')
    for job in jobs:
        partial = f' <span class="partial">{html.escape(job.partial)}</span>' if job.partial else ""
        parts.append(f"<h2>{html.escape(job.name)}{partial}</h2>")
        parts.append('<div class="caption">' + "".join(_section(section) for section in job.caption()) + "</div>")
    parts.extend(["</body>", "</html>", ""])
    return "\n".join(parts)


def _alt(jobs: Sequence[Reported]) -> str:
    names = ", ".join(job.name for job in jobs)
    return f"On-axis SPL, directivity index, beamwidth, throat impedance and polar maps of {names}"


def _section(section: Section) -> str:
    rows = "".join(
        f"<tr><th>{html.escape(name)}</th><td>{html.escape(value)}</td></tr>" for name, value in section.rows
    )
    return f"<div><h3>{html.escape(section.title)}</h3><table>{rows}</table></div>"
