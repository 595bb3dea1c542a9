"""Elapsed time and ETA as the app, the CLI and the JSON report them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from engine.timing import eta_s

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@dataclass
class Row:
    status: str = "running"
    progress: float = 0.25
    stage: str | None = "bem_solve"
    started_at: str | None = (NOW - timedelta(seconds=60)).isoformat()
    completed_at: str | None = None


def test_eta_extrapolates_the_progress_while_solving() -> None:
    assert eta_s(Row(), NOW) == 180


def test_no_eta_while_the_worker_compiles_its_kernels() -> None:
    assert eta_s(Row(stage="compiling"), NOW) is None
