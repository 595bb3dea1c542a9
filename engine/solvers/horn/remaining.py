"""How long a running horn job has left: the cost model's prediction for what is still to solve, scaled by how the
frequencies solved so far compared with their predictions.

The model (``costs``, fitted on this machine's finished jobs) prices each frequency by its band's unknowns and each
band's first frequency by the band's start (meshing, the kernel build for a new mesh). Wall time is measured per
frequency from the end of the previous one, so meshing, partial results and everything else the sweep spends
count. The ratio of measured to predicted seconds starts at 1 (the model alone) and follows the measurements,
weighed against one frequency's worth of the model so that a single odd frequency does not swing it. A fresh
worker's first frequency compiles the kernels: it says nothing of the rest and is left out. Once a band is
meshed its real size replaces the predicted one, and the bands not meshed yet are scaled by how far the real
sizes came out from the predicted ones.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine.solvers.horn.costs import Costs, work

#: The share of a job's time outside its bands (start, post-processing, storing) still to come during the sweep.
TAIL_SHARE = 0.5


@dataclass
class _Band:
    frequencies: int
    unknowns: float
    triangles: float
    prepared: bool = False
    solved: int = 0


class Remaining:
    """Seconds a sweep still needs, kept up to date as its bands are meshed and its frequencies solved."""

    def __init__(
        self,
        costs: Costs,
        method: str,
        symmetry: str,
        bands: Sequence[tuple[int, float, float]],
        *,
        cold: bool,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        """``bands``: each band's frequency count, predicted unknowns (0: unknown until it is meshed) and triangles
        (0 for an outline); ``cold``: the first frequency compiles the kernels."""
        self.costs, self.method, self.symmetry = costs, method, symmetry
        self.bands = [_Band(count, unknowns, triangles) for count, unknowns, triangles in bands]
        self.skip_first = cold
        self.clock = clock
        self.mark = clock()
        self.measured = 0.0
        self.predicted = 0.0
        self.sizes: list[tuple[float, float]] = []  # (real, predicted) unknowns of the bands meshed so far

    def prepared(self, b: int, unknowns: int, triangles: int) -> None:
        """Band ``b`` is meshed: its real size replaces the prediction."""
        band = self.bands[b]
        self.sizes.append((unknowns, band.unknowns))
        band.unknowns, band.triangles, band.prepared = unknowns, triangles, True

    def solved(self, b: int) -> None:
        """A frequency of band ``b`` is solved: its wall time since the previous one is measured against the
        prediction for it (with its band's start when it was the band's first)."""
        now = self.clock()
        band = self.bands[b]
        step = self._frequency(band.unknowns) + (self._start(band.triangles) if band.solved == 0 else 0.0)
        band.solved += 1
        if self.skip_first:
            self.skip_first = False
        else:
            self.measured += now - self.mark
            self.predicted += step
        self.mark = now

    def seconds(self) -> float | None:
        """The seconds left, the frequency under way counted from when it began; None while a band of unknown
        size (a user's mesh, before it is read) is still to come."""
        if any(not band.prepared and band.unknowns <= 0 for band in self.bands):
            return None
        count = sum(band.frequencies for band in self.bands)
        weight = sum(band.frequencies * self._frequency(band.unknowns) for band in self.bands) / max(1, count)
        ratio = (self.measured + weight) / (self.predicted + weight)
        growth = self._growth()
        pending = 0.0
        for band in self.bands:
            scale = 1.0 if band.prepared else growth
            pending += (band.frequencies - band.solved) * self._frequency(scale * band.unknowns)
            if band.solved == 0:
                pending += self._start(scale * band.triangles)
        under_way = self.clock() - self.mark
        return max(0.0, ratio * pending - under_way) + TAIL_SHARE * self.costs.job

    def _frequency(self, unknowns: float) -> float:
        return self.costs.frequency.seconds(work(self.method, self.symmetry, math.ceil(unknowns)))

    def _start(self, triangles: float) -> float:
        return self.costs.band_base + self.costs.band_per_triangle * triangles

    def _growth(self) -> float:
        """Real over predicted unknowns of the bands meshed so far: the meshes not made yet will be off alike."""
        if not self.sizes:
            return 1.0
        return sum(real for real, _ in self.sizes) / max(1.0, sum(predicted for _, predicted in self.sizes))
