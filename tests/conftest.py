"""Fixtures: a private HORNQ_HOME per test, the real CLI in real processes, and an engine to run them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from engine.paths import Home
from engine.store.db import open_database
from engine.store.models import Job

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = "tests.plugins.steps"


def wait_for(predicate: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05) -> Any:
    """Poll until predicate() is truthy; a generous bound, never a speed assertion."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Home]:
    root = tmp_path / "hornq-home"
    monkeypatch.setenv("HORNQ_HOME", str(root))
    monkeypatch.setenv("HORNQ_SOLVER_PLUGINS", PLUGINS)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    home = Home(root)
    db = open_database(home)
    yield home
    db.close()


class Cli:
    """Runs ``hornq`` as a separate process, as a user's shell would."""

    def __init__(self, home: Home) -> None:
        self.home = home

    def __call__(self, *args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "engine", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=os.environ.copy(),
            cwd=ROOT,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"hornq {' '.join(args)} exited {result.returncode}: {result.stderr}")
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)

    def submit_command(self, *argv: str, label: str | None = None) -> str:
        extra = ["--label", label] if label else []
        return self("run", "--no-start", *extra, "--", *argv).stdout.strip()

    def status(self, job_id: str) -> str:
        return self.json("status", job_id)["status"]


@pytest.fixture
def cli(home: Home) -> Cli:
    return Cli(home)


@contextmanager
def module_home(root: Path) -> Iterator[Cli]:
    """A HORNQ_HOME for a module-scoped fixture (the function-scoped ``home`` cannot serve one), with its CLI."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HORNQ_HOME", str(root / "home"))
        home = Home(root / "home")
        open_database(home)
        yield Cli(home)


class EngineProcess:
    """A foreground engine in its own process, killed for real at the end of the test."""

    def __init__(self, home: Home) -> None:
        self.home = home
        self.proc: subprocess.Popen[str] | None = None

    def start(self, *extra: str) -> subprocess.Popen[str]:
        with open(self.home.root / "test-engine.log", "a") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "engine", "engine", *extra],
                stdout=log,
                stderr=log,
                text=True,
                env=os.environ.copy(),
                cwd=ROOT,
                start_new_session=True,
            )
        from engine.store import lease

        wait_for(lambda: (info := lease.live_engine()) is not None and info.pid == self.proc.pid)
        return self.proc

    def kill_after(self, seconds: float) -> None:
        """Let the engine work for a moment, then kill -9 it."""
        time.sleep(seconds)
        self.kill9()

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def engine_process(home: Home) -> Iterator[EngineProcess]:
    engine = EngineProcess(home)
    yield engine
    engine.stop()


def job_row(job_id: str) -> Job:
    return Job.get_by_id(job_id)
