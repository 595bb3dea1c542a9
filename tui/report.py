"""The export dialog's report: one picture of the chosen jobs' charts and polar maps, overlaid when several, as
``hornq report`` draws it (database and drawing work: call it from a worker thread)."""

from __future__ import annotations

from pathlib import Path

from engine.errors import Conflict
from engine.paths import ensure_private_dir
from engine.solvers import entry
from engine.store import jobs


def write_report(ids: list[str], directory: Path) -> Path:
    """Draw the jobs' results into ``directory``/<label or short id>.png (``overlay-…`` for several); returns the
    file written. Jobs of a kind without reports, or of different kinds, are refused."""
    chosen = [jobs.get(job_id) for job_id in ids]
    kinds = {job.kind for job in chosen}
    draw = entry(next(iter(kinds)), "write_report") if len(kinds) == 1 else None
    if draw is None:
        raise Conflict("a report needs jobs of one kind that draws reports (horn jobs)")
    name = jobs.export_name(chosen[0]) if len(chosen) == 1 else "overlay-" + "-".join(j.id[:8] for j in chosen[:4])
    path = ensure_private_dir(directory) / f"{name}.png"
    reported = [
        {"job_id": job.id, "label": job.label, "results": jobs.results(job.id), "config": jobs.stored_config(job)}
        for job in chosen
    ]
    draw(reported, path)
    return path
