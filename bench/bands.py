"""Frequency bands against one mesh for the whole sweep, on a horn meshed for its whole 200 Hz–20 kHz sweep.

The shipped OS-SE example's mesh resolves 6 elements per wavelength only up to about 5.7 kHz, so its top
frequencies cannot move to a coarser mesh and bands save little there (``bench.fast_solver``). Here the same
90×60 OS-SE waveguide, shortened to 60 mm so that its 20 kHz mesh fits the dense-operator budget, is meshed
with ``size = "auto"`` (6 elements per wavelength at 20 kHz) and solved twice through the engine, both with
the default backend and symmetry: banded (the default) and with ``banded = false``. Whole 40-point sweeps,
both measured; accuracy is compared at every frequency.

    .venv/bin/python -m bench.bands      # about 20 minutes on 2 cores
"""

from __future__ import annotations

from bench.common import Figure, machine, show, temp_home
from bench.fast_solver import OSSE, config, finished, resolved_difference, run_engine, submit

#: The shipped example's length is 110 mm; 60 mm keeps its top mesh near 12,000 triangles.
LENGTH_MM = 60


def compact(banded: bool) -> dict:
    raw = config(OSSE, mesh={"size": "auto", "throat_size": None, "mouth_size": None, "banded": banded})
    raw["horn"]["L"] = LENGTH_MM
    raw["label"] = f"OS-SE 90x60, L = {LENGTH_MM} mm, auto mesh"
    return raw


def main() -> list[Figure]:
    print(f"machine: {machine()}", flush=True)
    with temp_home() as home:
        banded = submit(compact(banded=True))
        single = submit(compact(banded=False))
        run_engine(home.root)
        banded_wall, banded_results = finished(banded)
        single_wall, single_results = finished(single)
    print("bands:")
    for band in banded_results["metadata"]["solver"]["bands"]:
        print(
            f"  {band['f_low_hz']:.0f}–{band['f_high_hz']:.0f} Hz: {band['frequencies']} frequencies, "
            f"{band['triangles']} triangles, {band['unknowns']} unknowns, {band['seconds']:.1f} s"
        )
    (single_band,) = single_results["metadata"]["solver"]["bands"]
    print(f"single mesh: {single_band['triangles']} triangles, {single_band['unknowns']} unknowns")
    gap, gap_all = resolved_difference(banded_results, single_results)
    figures = [
        Figure(
            f"banded vs single mesh, whole 40-point sweep to 20 kHz ({single_band['triangles']} triangles at the top)",
            banded_wall,
            "s",
            "single mesh",
            single_wall,
            "≥ 2× faster",
            banded_wall * 2 <= single_wall,
        ),
        Figure(
            "banded vs single mesh, largest polar difference 0–90° where both resolve ≥ 6 el/λ",
            gap,
            "dB",
            "",
            None,
            "≤ 0.5 dB",
            gap <= 0.5,
        ),
        Figure("banded vs single mesh, largest polar difference 0–180° (same frequencies)", gap_all, "dB"),
    ]
    show("Frequency bands on a horn meshed for its whole sweep (one run)", figures)
    return figures


if __name__ == "__main__":
    main()
