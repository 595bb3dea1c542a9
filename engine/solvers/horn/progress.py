"""What a horn job tells its user while it runs: frequencies as people write them, one log line per frequency."""

from __future__ import annotations

from collections.abc import Callable

from engine.solvers import SolverContext
from engine.solvers.horn.sweep import Solved


def frequency_label(f: float) -> str:
    """``4.5 kHz`` or ``630 Hz``, as progress lines and logs name a frequency."""
    return f"{f / 1000:.3g} kHz" if f >= 1000 else f"{f:.0f} Hz"


def band_span(frequencies: tuple[float, ...] | list[float]) -> str:
    """``1.2 kHz–4.8 kHz, 7 frequencies`` or ``8 kHz, 1 frequency``: a band as its log line names it."""
    low, high = min(frequencies), max(frequencies)
    span = frequency_label(low) if low == high else f"{frequency_label(low)}–{frequency_label(high)}"
    count = len(frequencies)
    return f"{span}, {count} frequenc{'y' if count == 1 else 'ies'}"


def frequency_logger(ctx: SolverContext, where: str) -> Callable[[Solved], None]:
    """A job-log line per solved frequency: ``1.25 kHz: band 2/4, 1871 unknowns, 18 GMRES iterations, 3.21 s``."""

    def log(solved: Solved) -> None:
        how = f"{solved.iterations} GMRES iterations" if solved.iterations else "direct solve"
        ctx.log(
            f"{frequency_label(solved.frequency)}: {where}, {solved.unknowns} unknowns, {how}, {solved.seconds:.2f} s"
        )

    return log
