"""The backend a worker solves with: OpenCL when a real assembly works, numba otherwise, never a silent failure.

Each case runs in a fresh interpreter, as a worker would: the probe is made once per process.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

CHOOSE = """
from engine.solvers.horn.backend import BackendUnavailable, choose
try:
    backend = choose({backend!r})
except BackendUnavailable as exc:
    print("refused:", exc)
else:
    print(backend.interface, backend.precision, backend.fallback or "-", sep="|")
"""
#: An ICD loader pointed at an empty vendor directory finds no OpenCL driver at all.
BROKEN_OPENCL = {"OCL_ICD_VENDORS": "/nonexistent-opencl-vendors"}


def choose_in_a_fresh_process(backend: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-c", CHOOSE.format(backend=backend)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.opencl
def test_auto_takes_opencl_in_single_precision_where_it_works() -> None:
    line = choose_in_a_fresh_process("auto")
    if line.startswith("numba") and os.environ.get("HORNQ_OPENCL") != "required":
        pytest.skip(f"no working OpenCL driver here: {line.split('|')[2]}")
    assert line == "opencl|single|-"


def test_auto_falls_back_to_numba_with_the_reason_when_opencl_is_broken() -> None:
    interface, precision, fallback = choose_in_a_fresh_process("auto", BROKEN_OPENCL).split("|")
    assert (interface, precision) == ("numba", "double")
    assert fallback.startswith("OpenCL unavailable (") and "pocl-opencl-icd" in fallback


def test_opencl_asked_by_name_is_refused_in_one_line_when_it_is_broken() -> None:
    line = choose_in_a_fresh_process("opencl", BROKEN_OPENCL)
    assert line.startswith('refused: solver.backend = "opencl", but OpenCL does not work here:')


def test_numba_asked_by_name_never_probes_opencl() -> None:
    assert choose_in_a_fresh_process("numba", BROKEN_OPENCL) == "numba|double|-"
