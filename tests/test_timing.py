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
    remaining_s: float | None = None
    remaining_at: str | None = None


def ago(seconds: float) -> str:
    return (NOW - timedelta(seconds=seconds)).isoformat()


def test_the_solvers_prediction_counts_down_from_when_it_was_made() -> None:
    assert eta_s(Row(remaining_s=100.0, remaining_at=ago(30)), NOW) == 70


def test_the_solvers_prediction_wins_over_the_progress_fraction() -> None:
    assert eta_s(Row(progress=0.9, remaining_s=500.0, remaining_at=ago(0)), NOW) == 500


def test_an_overdue_prediction_says_zero_not_a_negative_time() -> None:
    assert eta_s(Row(remaining_s=10.0, remaining_at=ago(30)), NOW) == 0


def test_a_job_without_a_prediction_extrapolates_its_progress() -> None:
    assert eta_s(Row(), NOW) == 180


def test_no_eta_while_the_worker_compiles_its_kernels() -> None:
    assert eta_s(Row(stage="compiling", remaining_s=100.0, remaining_at=ago(0)), NOW) is None


def test_no_eta_once_the_job_ended() -> None:
    assert eta_s(Row(status="complete", remaining_s=100.0, remaining_at=ago(0)), NOW) is None
