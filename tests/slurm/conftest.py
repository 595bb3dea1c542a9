"""A real SLURM for these tests: skipped with a reason where none answers, failed in CI where one must.

``.ci/slurm.sh`` starts a single-node cluster; ``.ci/run`` sets ``HORNQ_SLURM=required`` so a broken
cluster fails the run instead of quietly skipping it. Every SLURM job a test leaves behind is
cancelled, so one test's ``sleep 300`` never holds the node for the next.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from engine.paths import Home
from engine.store.models import Job

READY_STATES = ("idle", "mixed", "allocated")


def _cluster_problem() -> str | None:
    if shutil.which("sbatch") is None or shutil.which("sinfo") is None:
        return "the SLURM client (sbatch, sinfo) is not installed"
    try:
        done = subprocess.run(["sinfo", "--noheader", "--format=%T"], capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return "sinfo did not answer within 20 s"
    if done.returncode != 0:
        return f"sinfo failed: {done.stderr.strip()}"
    if not any(line.strip().startswith(READY_STATES) for line in done.stdout.splitlines()):
        return f"no SLURM node accepts work (sinfo: {done.stdout.strip() or 'no nodes'})"
    return None


@pytest.fixture(scope="session")
def slurm_cluster() -> None:
    problem = _cluster_problem()
    if problem is None:
        return
    message = f"{problem}; start a single-node cluster with `sudo .ci/slurm.sh`"
    if os.environ.get("HORNQ_SLURM") == "required":
        pytest.fail(f"HORNQ_SLURM=required but {message}")
    pytest.skip(message)


@pytest.fixture
def slurm_home(slurm_cluster: None, home: Home) -> Iterator[Home]:
    """A HORNQ_HOME whose SLURM jobs are all cancelled when the test ends."""
    yield home
    ids = [job.external_id for job in Job.select(Job.external_id).where(Job.external_id.is_null(False))]
    if ids:
        subprocess.run(["scancel", *ids], capture_output=True, timeout=30)
