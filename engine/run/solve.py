"""Running a solver plugin inside a worker, local or on the cluster, and saying how it ended.

Whatever the plugin raises ends the job, never the process that hosts it: a warm local worker lives
on for the next job, and the SLURM worker still writes the job's outcome.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.run.output import write_output, write_partial
from engine.solvers import Cancelled, SolverContext, load_plugin
from engine.text import printable


class JobContext:
    """What a solver sees of its job: progress (with the seconds the solver expects to still need, when it can
    tell) goes wherever the host sends it (the engine's pipe, or the SLURM job directory); a stop request is an
    event the host sets; log lines go to the job's log; partial results go beside the results, in ``output_dir``
    (the work directory unless the host says otherwise); ``cost_model`` is the kind's figures for this machine."""

    def __init__(
        self,
        job_id: str,
        workdir: Path,
        report: Callable[[float, str, str, float | None], None],
        stop: threading.Event,
        output_dir: Path | None = None,
        cost_model: dict[str, Any] | None = None,
    ) -> None:
        self.job_id = job_id
        self.workdir = workdir
        self.output_dir = output_dir or workdir
        self.cost_model = cost_model
        self._report = report
        self._stop = stop

    def progress(self, fraction: float, stage: str, message: str = "", remaining_s: float | None = None) -> None:
        remaining = None if remaining_s is None else round(max(0.0, remaining_s), 1)
        self._report(max(0.0, min(1.0, fraction)), stage, message, remaining)

    def should_stop(self) -> bool:
        return self._stop.is_set()

    def log(self, line: str) -> None:
        print(line, flush=True)

    def partial(self, results: dict[str, Any]) -> None:
        """Keep the results solved so far; a failed write costs the partial view, never the job (the
        directory may be gone: a job abandoned mid-frequency is recorded while its worker finishes)."""
        try:
            write_partial(self.output_dir, results)
        except OSError as exc:
            self.log(f"could not write the partial results: {exc.strerror or exc}")


@dataclass(frozen=True)
class Solved:
    status: str  # "complete", "cancelled" or "error", as the job will be recorded
    message: str | None = None


def solve(kind: str, config: dict[str, Any], ctx: SolverContext, output_dir: Path) -> Solved:
    """Run the plugin and write its results and artifacts into ``output_dir``."""
    try:
        output = load_plugin(kind).run(config, ctx)
    except Cancelled:
        return Solved("cancelled")
    except MemoryError:
        return Solved("error", "the solver ran out of memory")
    except Exception as exc:
        traceback.print_exc()  # into the job's log
        return Solved("error", printable(f"{type(exc).__name__}: {exc}", 1500))
    try:
        write_output(output_dir, output.results, output.artifacts)
    except OSError as exc:
        return Solved("error", f"could not write the results: {exc.strerror or exc}")
    return Solved("complete")
