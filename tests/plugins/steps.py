"""A solver plugin for testing the worker machinery: it steps, reports, and fails on request.

It lives in tests/ (never in the product) and is loaded through $HORNQ_SOLVER_PLUGINS.
"""

from __future__ import annotations

import ctypes
import os
import signal
import time
from pathlib import Path
from typing import Any

from engine.errors import ConfigError
from engine.solvers import Cancelled, SolverContext, SolverOutput, Validated

KIND = "steps"
MESH_ARTIFACT = "mesh.msh"
MODES = ("ok", "raise", "segfault", "sigkill", "hang", "memory")


def validate(raw: dict[str, Any], base_dir: Path) -> Validated:
    unknown = set(raw) - {"steps", "step_s", "mode", "artifact_kb"}
    if unknown:
        raise ConfigError(f"unknown key {sorted(unknown)[0]!r}")
    config = {
        "steps": int(raw.get("steps", 3)),
        "step_s": float(raw.get("step_s", 0.05)),
        "mode": raw.get("mode", "ok"),
        "artifact_kb": int(raw.get("artifact_kb", 0)),
    }
    if config["mode"] not in MODES:
        raise ConfigError(f"mode must be one of {MODES}")
    return Validated(config=config, summary={"steps": config["steps"]})


def run(config: dict[str, Any], ctx: SolverContext) -> SolverOutput:
    print(f"steps solver in pid {os.getpid()}")
    for step in range(config["steps"]):
        if ctx.should_stop():
            raise Cancelled
        ctx.progress(step / config["steps"], "bem_solve", f"step {step + 1}/{config['steps']}")
        time.sleep(config["step_s"])
        if step == 1:
            _fail(config["mode"])
        ctx.partial({"job_id": ctx.job_id, "steps": step + 1, "partial": {"solved": step + 1, "of": config["steps"]}})
    return SolverOutput(
        results={"job_id": ctx.job_id, "steps": config["steps"], "worker_pid": os.getpid()},
        artifacts={"mesh.msh": "$MeshFormat\n2.2 0 8\n$EndMeshFormat\n" + "%" * 1024 * config["artifact_kb"]},
    )


def _fail(mode: str) -> None:
    if mode == "raise":
        raise ValueError("the steps solver was told to fail")
    if mode == "segfault":
        ctypes.string_at(0)
    if mode == "sigkill":
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "hang":
        while True:
            time.sleep(1)  # ignores should_stop: only a kill ends it
    if mode == "memory":
        bytearray(8 * 1024**3)  # far beyond the worker's heap limit
