"""The job directory: the only channel between the engine and a job running on the cluster.

It lives under a root the cluster's nodes share (the ``slurm_job_root`` setting). The engine writes
the request (``job.json``) and batch script before ``sbatch`` and the SLURM id after; the job appends
progress events to ``events.jsonl`` (one JSON line per ``write``) and leaves ``results.json``,
``artifacts/`` and ``outcome.json`` by write-then-rename, so the engine never reads half a file. The
directory exists exactly as long as hornq may still have a SLURM job to watch or to cancel.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from engine.paths import Home, ensure_private_dir, open_private, write_atomic
from engine.run.output import RESULTS_FILE
from engine.store import settings

REQUEST_FILE = "job.json"
SCRIPT_FILE = "job.sbatch"
SLURM_ID_FILE = "slurm_id"
EVENTS_FILE = "events.jsonl"
OUTCOME_FILE = "outcome.json"
LOG_FILE = "job.log"


def job_root(home: Home) -> Path:
    """Where job directories go: the ``slurm_job_root`` setting, or ``$HORNQ_HOME/slurm``."""
    configured = settings.get("slurm_job_root")
    return Path(configured) if configured else home.root / "slurm"


class JobDir:
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def of(cls, home: Home, job_id: str) -> JobDir:
        return cls(job_root(home) / job_id)

    @property
    def request_file(self) -> Path:
        return self.path / REQUEST_FILE

    @property
    def script(self) -> Path:
        return self.path / SCRIPT_FILE

    @property
    def log(self) -> Path:
        return self.path / LOG_FILE

    @property
    def results_file(self) -> Path:
        return self.path / RESULTS_FILE

    def exists(self) -> bool:
        return self.path.is_dir()

    # ------------------------------------------------------------ engine side

    def create(self, request: dict[str, Any], script: str) -> None:
        ensure_private_dir(self.path.parent)
        ensure_private_dir(self.path)
        write_atomic(self.request_file, json.dumps(request))
        write_atomic(self.script, script)
        self.script.chmod(0o700)

    def record_slurm_id(self, slurm_id: str) -> None:
        write_atomic(self.path / SLURM_ID_FILE, slurm_id)

    def slurm_id(self) -> str | None:
        try:
            return (self.path / SLURM_ID_FILE).read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def read_events(self, offset: int) -> tuple[list[dict[str, Any]], int]:
        """Whole event lines appended since ``offset``, and the offset after the last one."""
        try:
            with open(self.path / EVENTS_FILE, "rb") as events:
                events.seek(offset)
                chunk = events.read()
        except FileNotFoundError:
            return [], offset
        complete = chunk[: chunk.rfind(b"\n") + 1]
        parsed = []
        for line in complete.splitlines():
            try:
                parsed.append(json.loads(line))
            except ValueError:
                continue  # a damaged line costs one progress update, not the job
        return parsed, offset + len(complete)

    def outcome(self) -> dict[str, Any] | None:
        try:
            return json.loads((self.path / OUTCOME_FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    # ------------------------------------------------------------ job side

    def request(self) -> dict[str, Any]:
        return json.loads(self.request_file.read_text(encoding="utf-8"))

    def append_event(self, **event: Any) -> None:
        """One ``write`` per line on an append-only file: lines never interleave or tear."""
        line = (json.dumps(event) + "\n").encode()
        fd = os.open(self.path / EVENTS_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

    def write_outcome(self, **outcome: Any) -> None:
        write_atomic(self.path / OUTCOME_FILE, json.dumps(outcome))


def link_log(home: Home, job_dir: JobDir, job_id: str) -> None:
    """Point the job's usual log path at the SLURM output, so ``hornq log -f`` follows it live."""
    link = home.job_log(job_id)
    link.unlink(missing_ok=True)
    link.symlink_to(job_dir.log)


def keep_log(home: Home, job_dir: JobDir, job_id: str) -> None:
    """Replace the link with a copy of the SLURM output before the job directory goes away."""
    link = home.job_log(job_id)
    if not link.is_symlink():
        return
    try:
        text = job_dir.log.read_bytes()
    except FileNotFoundError:
        link.unlink(missing_ok=True)
        return
    partial = link.with_name(link.name + ".partial")
    with open_private(partial, "wb") as out:
        out.write(text)
    os.replace(partial, link)
