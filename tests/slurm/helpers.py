"""Asking the real SLURM about a job, independently of hornq's own queries."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from engine.store.models import Job, JobEvent


def slurm_field(slurm_id: str, name: str) -> str:
    """A field of ``scontrol show job -o`` (finished jobs are kept 600 s by the test cluster)."""
    out = subprocess.run(
        ["scontrol", "show", "job", "-o", slurm_id], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    match = re.search(rf"\b{name}=(\S+)", out)
    assert match, out
    return match.group(1)


def slurm_state(slurm_id: str) -> str:
    return slurm_field(slurm_id, "JobState")


def history(job_id: str) -> list[tuple[str | None, str, str, str | None]]:
    events = JobEvent.select().where(JobEvent.job == job_id).order_by(JobEvent.id)
    return [(e.from_status, e.to_status, e.source, e.message) for e in events]


def command_config(path: Path, argv: list[str], *, executor: str = "") -> Path:
    """A command job config with an ``[executor]`` table (TOML written by hand: the argv is plain words)."""
    words = ", ".join(f'"{word}"' for word in argv)
    path.write_text(f'kind = "command"\n[command]\nargv = [{words}]\n[executor]\nkind = "slurm"\n{executor}')
    return path


def job(job_id: str) -> Job:
    return Job.get_by_id(job_id)
