"""How a run ended, as the engine records it."""

from __future__ import annotations

import signal
from dataclasses import dataclass
from pathlib import Path

from engine.store.lifecycle import Status


@dataclass
class Outcome:
    status: Status
    message: str | None = None
    exit_code: int | None = None
    result_dir: Path | None = None  # where a solver left results.json and artifacts


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        hint = " (out of memory?)" if -returncode == signal.SIGKILL else ""
        return f"killed by {name}{hint}"
    return f"exit code {returncode}"
