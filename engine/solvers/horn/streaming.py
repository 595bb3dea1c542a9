"""The order a horn job solves its frequencies in, so the curves take shape early, and the partial results.

The whole sweep's ends come first, then the midpoints by bisection (van der Corput order over the sweep's
indices): after 3 frequencies the low end, the high end and the middle are known, after 5 the quarters. The
order runs across the bands: a band is prepared (meshed, its spaces built) when its first frequency comes, once,
and kept for its later ones. The context gets the results so far, marked partial, as they grow.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from typing import Any

from engine.solvers import Cancelled, SolverContext
from engine.solvers.horn.sweep import FrequencySweep, Solved

#: The partial results are kept after each of the first frequencies (the ends and the middle of the sweep, the
#: curve's shape), then at most this often.
EVERY_FREQUENCY = 5
PARTIAL_EVERY_S = 1.0


def solving_order(n: int) -> list[int]:
    """Indices 0…n−1, ends first, then each gap halved in turn: 0, n−1, n/2, n/4, 3n/4, n/8, 5n/8, …"""
    if n <= 2:
        return list(range(n))
    levels = max(1, (n - 2).bit_length())  # 2**levels ≥ n − 1: the finest halving reaches every index
    order, seen = [], set()
    for position in (0.0, 1.0, *(_radical_inverse(j) for j in range(1, 2**levels))):
        index = round(position * (n - 1))
        if index not in seen:
            seen.add(index)
            order.append(index)
    return order


def _radical_inverse(j: int) -> float:
    """j's binary digits mirrored behind the point: 0, ½, ¼, ¾, ⅛, ⅝, … (van der Corput)."""
    value, scale = 0.0, 0.5
    while j:
        value += scale * (j & 1)
        j >>= 1
        scale /= 2
    return value


def partial(results: dict[str, Any], solved: int, of: int) -> dict[str, Any]:
    """The results so far, with the marker complete results never have."""
    return {**results, "partial": {"solved": solved, "of": of}}


def solve_bands(
    bands: Sequence[Sequence[float]],
    prepare: Callable[[int], FrequencySweep],
    ctx: SolverContext,
    *,
    before: Callable[[int, int, float], None],
    after: Callable[[int, Solved], None],
    document: Callable[[dict[int, FrequencySweep]], dict[str, Any]],
    clock: Callable[[], float] = time.monotonic,
) -> dict[int, FrequencySweep]:
    """Solve every band's frequencies in ``solving_order`` of the whole sweep; returns each band's sweep by index.

    ``prepare(b)`` builds band ``b``'s sweep; ``before(count, b, f)`` runs before each frequency (``count``
    solved so far) and ``after(b, solved)`` after it; ``document(sweeps)`` builds the results of the frequencies
    solved so far, which the context gets as partial results: after each of the first frequencies, then at most
    every PARTIAL_EVERY_S (building them grows with the frequencies solved), and always when the sweep stops
    early. A stop request is honoured between frequencies.
    """
    slots = sorted((f, b, i) for b, frequencies in enumerate(bands) for i, f in enumerate(frequencies))
    total = len(slots)
    sweeps: dict[int, FrequencySweep] = {}
    kept, kept_at = 0, clock()

    def keep(solved: int) -> None:
        nonlocal kept, kept_at
        if solved > kept:
            ctx.partial(partial(document(sweeps), solved, total))
            kept, kept_at = solved, clock()

    count = 0  # frequencies solved
    try:
        for count, position in enumerate(solving_order(total)):
            f, b, i = slots[position]
            if ctx.should_stop():
                raise Cancelled(f"stopped before {f:.6g} Hz ({count}/{total} frequencies solved)")
            if b not in sweeps:
                sweeps[b] = prepare(b)
                if ctx.should_stop():
                    raise Cancelled(f"stopped before {f:.6g} Hz ({count}/{total} frequencies solved)")
            before(count, b, f)
            after(b, sweeps[b].solve(i))
            if count < EVERY_FREQUENCY or clock() - kept_at >= PARTIAL_EVERY_S:
                keep(count + 1)
    except BaseException:
        with contextlib.suppress(Exception):  # the reason the sweep stopped matters more than its partial view
            keep(count)
        raise
    return sweeps
