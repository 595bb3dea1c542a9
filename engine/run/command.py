"""Running a ``command`` job's program, the same way locally and on SLURM: its environment and its output.

The program may report progress by printing ``HORNQ_PROGRESS <fraction> [message]`` lines on stdout;
the last lines of its stderr explain a failure.
"""

from __future__ import annotations

import os
import re
import threading
from collections import deque
from collections.abc import Callable
from typing import IO, Any

from engine.run.outcome import describe_exit
from engine.text import printable

PROGRESS_RE = re.compile(rb"^HORNQ_PROGRESS\s+(\S+)(?:\s+(.*))?$")
STDERR_TAIL = 12

Progress = Callable[[float, str | None], None]  # (fraction, message or None)


def parse_progress(line: bytes) -> tuple[float, str | None] | None:
    """A ``HORNQ_PROGRESS <fraction> [message]`` line → (fraction clamped to 0..1, message)."""
    match = PROGRESS_RE.match(line.rstrip(b"\r\n"))
    if not match:
        return None
    try:
        fraction = float(match.group(1))
    except ValueError:
        return None
    if fraction != fraction:  # NaN
        return None
    message = match.group(2).decode("utf-8", "replace").strip() if match.group(2) else None
    return min(1.0, max(0.0, fraction)), message


def child_env(section: dict[str, Any], job_id: str, home: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(section.get("env", {}))
    env["HORNQ_JOB_ID"] = job_id
    env["HORNQ_HOME"] = home
    return env


class ProgramOutput:
    """The lines a program prints: each one into the job's log as it comes, progress read from stdout,
    the tail of stderr kept. Fed by asyncio readers (local runs) or by one thread per pipe (SLURM),
    hence the lock: lines of the two pipes never interleave within the log."""

    def __init__(self, log: IO[bytes], progress: Progress) -> None:
        self.log = log
        self.progress = progress
        self.tail: deque[str] = deque(maxlen=STDERR_TAIL)
        self._lock = threading.Lock()

    def feed(self, line: bytes, *, stderr: bool = False) -> None:
        with self._lock:
            self.log.write(line)
            self.log.flush()
        if stderr:
            self.tail.append(line.decode("utf-8", "replace").rstrip())
        elif line.startswith(b"HORNQ_PROGRESS"):
            parsed = parse_progress(line)
            if parsed:
                fraction, message = parsed
                self.progress(fraction, None if message is None else printable(message, 200))

    def failure(self, returncode: int) -> str:
        """Why the program failed: its exit status and the end of what it said on stderr."""
        detail = printable("\n".join(self.tail), 1500)
        return describe_exit(returncode) + (f": {detail}" if detail else "")
