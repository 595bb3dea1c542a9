"""A running horn job's remaining time: the cost model for what is left, corrected by what was measured."""

from __future__ import annotations

import pytest

from engine.solvers.horn.costs import Costs, Curve, work
from engine.solvers.horn.remaining import TAIL_SHARE, Remaining

#: 1 s per frequency at 1000 unknowns (a million dense entries), 4 s to start a band; a 2 s job overhead.
COSTS = Costs(Curve(0.0, 1.0, 1.0), band_base=4.0, band_per_triangle=0.0, job=2.0, cold=30.0)
TAIL = TAIL_SHARE * COSTS.job


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def two_bands(clock: Clock, *, cold: bool = False) -> Remaining:
    """10 frequencies at 1000 unknowns (1 s each), then 5 at 2000 (4 s each)."""
    return Remaining(COSTS, "axisymmetric", "none", [(10, 1000, 0), (5, 2000, 0)], cold=cold, clock=clock)


def solve(remaining: Remaining, clock: Clock, band: int, seconds: float) -> None:
    clock.now += seconds
    remaining.solved(band)


def test_before_anything_is_solved_the_model_alone_predicts() -> None:
    assert two_bands(Clock()).seconds() == pytest.approx(10 * 1 + 5 * 4 + 2 * 4 + TAIL)


def test_frequencies_twice_as_slow_as_predicted_nearly_double_what_is_left() -> None:
    clock = Clock()
    remaining = two_bands(clock)
    remaining.prepared(0, 1000, 0)
    solve(remaining, clock, 0, 2 * (4 + 1))  # the band's start and its first frequency
    for _ in range(5):
        solve(remaining, clock, 0, 2 * 1)
    left = 4 * 1 + 4 + 5 * 4
    assert 1.7 * left < remaining.seconds() - TAIL < 2 * left


def test_the_frequency_under_way_counts_down() -> None:
    clock = Clock()
    remaining = two_bands(clock)
    before = remaining.seconds()
    clock.now += 3
    assert remaining.seconds() == pytest.approx(before - 3)


def test_a_fresh_workers_first_frequency_compiles_and_is_not_measured() -> None:
    clock = Clock()
    remaining = two_bands(clock, cold=True)
    remaining.prepared(0, 1000, 0)
    solve(remaining, clock, 0, 120)
    assert remaining.seconds() == pytest.approx(9 * 1 + 5 * 4 + 4 + TAIL)


def test_bands_not_meshed_yet_grow_as_the_meshed_ones_came_out_larger() -> None:
    clock = Clock()
    remaining = two_bands(clock)
    remaining.prepared(0, 1500, 0)
    per_frequency = [work("axisymmetric", "none", n) for n in (1500, 3000)]
    assert remaining.seconds() == pytest.approx(10 * per_frequency[0] + 5 * per_frequency[1] + 2 * 4 + TAIL)


def test_a_band_of_unknown_size_leaves_the_time_unknown_until_it_is_meshed() -> None:
    clock = Clock()
    remaining = Remaining(COSTS, "3d", "none", [(10, 0, 0)], cold=False, clock=clock)
    assert remaining.seconds() is None
    remaining.prepared(0, 1000, 2000)
    assert remaining.seconds() == pytest.approx(10 * 1 + 4 + TAIL)
