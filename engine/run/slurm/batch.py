"""What hornq hands to ``sbatch``: a two-line batch script and an argv of options.

The script only starts hornq's cluster-side worker on the job directory (the job's config travels
in ``job.json``, not in the script), so no user input is ever part of a shell command; the two
paths it names are quoted. Output, working directory and job name are hornq's; the config's
validated options follow.
"""

from __future__ import annotations

import shlex
import sys
from typing import Any

from engine.config.executor import sbatch_arguments
from engine.run.slurm.jobdir import JobDir
from engine.store import settings

WORKER_MODULE = "engine.run.slurm.worker"
NAME_PREFIX = "hornq-"


def job_name(job_id: str) -> str:
    """The SLURM job name: unique per hornq job, so a restarted engine can find its own submission."""
    return NAME_PREFIX + job_id


def python() -> str:
    """The interpreter the job runs: the ``slurm_python`` setting, or the engine's own."""
    return settings.get("slurm_python") or sys.executable


def script(job_id: str, job_dir: JobDir) -> str:
    return (
        "#!/bin/sh\n"
        f"# hornq job {job_id}: runs it and writes progress, results and its outcome into this directory.\n"
        f"exec {shlex.quote(python())} -m {WORKER_MODULE} {shlex.quote(str(job_dir.path))}\n"
    )


def sbatch_options(job_id: str, job_dir: JobDir, options: dict[str, Any]) -> list[str]:
    return [
        f"--job-name={job_name(job_id)}",
        f"--chdir={job_dir.path}",
        f"--output={job_dir.log}",
        "--open-mode=append",
        *sbatch_arguments(options),
    ]
