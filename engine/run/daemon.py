"""Running the engine in the background, detached from the terminal and the SSH session."""

from __future__ import annotations

import os
import socket
import sys
import time
from typing import TYPE_CHECKING

from engine.errors import EngineError
from engine.paths import Home, open_private
from engine.store import lease

if TYPE_CHECKING:
    import subprocess

START_TIMEOUT_S = 15.0
NO_AUTOSTART_ENV = "HORNQ_NO_AUTOSTART"


def spawn(home: Home) -> subprocess.Popen[bytes]:
    """Start ``hornq engine`` in its own session with output to HORNQ_HOME/engine.log."""
    import subprocess  # here, not at the top: `hornq run` with an engine alive never spawns one

    with open_private(home.engine_log, "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "engine", "--home", str(home.root), "engine", "--background"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            close_fds=True,
            cwd=str(home.root),
        )


def ensure_running(home: Home) -> int | None:
    """Start a background engine unless one is alive (or $HORNQ_NO_AUTOSTART is set); returns the new pid."""
    if os.environ.get(NO_AUTOSTART_ENV) or lease.live_engine() is not None:
        return None
    return spawn(home).pid


def start(home: Home) -> lease.LeaseInfo:
    """Start a background engine and wait until it holds the lease."""
    running = lease.live_engine()
    if running is not None:
        raise EngineError(f"an engine is already running (pid {running.pid} on {running.host})")
    child = spawn(home)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        info = lease.live_engine()
        if info is not None and info.pid == child.pid:
            return info
        if child.poll() is not None:
            raise EngineError(f"the engine exited at start ({_last_line(home)}); see {home.engine_log}")
        time.sleep(0.05)
    raise EngineError(f"the engine did not start within {START_TIMEOUT_S:g} s; see {home.engine_log}")


def stop(home: Home, *, drain: bool, timeout: float) -> lease.LeaseInfo:
    """Ask the engine to stop and wait until it has released the lease."""
    info = lease.request_stop("drain" if drain else "cancel")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lease.live_engine() is None:
            return info
        time.sleep(0.1)
    raise EngineError(f"the engine (pid {info.pid}) has not stopped after {timeout:g} s; it keeps stopping")


def _last_line(home: Home) -> str:
    try:
        lines = home.engine_log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "no log"
    return lines[-1] if lines else "no output"


def uptime_s(info: lease.LeaseInfo) -> float | None:
    from engine.procs import seconds_since_start

    if info.host != socket.gethostname():
        return None
    return seconds_since_start(info.start_ticks)
