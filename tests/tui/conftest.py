"""TUI fixtures: the sample home, apps driven by Pilot against a real database, and helpers to wait on them."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Iterator

import pytest
from rich.console import Console

from engine.paths import Home
from tests.tui.sample import fixed_now, populate, use_utc
from tui.app import HornqApp


@pytest.fixture(autouse=True)
def _utc() -> None:
    use_utc()


@pytest.fixture
def sample(home: Home) -> dict[str, str]:
    return populate(home)


@pytest.fixture
def make_app(home: Home) -> Iterator:
    """Build an app on the test's HORNQ_HOME; a fixed clock unless told otherwise."""

    def make(*, poll: bool = True, clock: bool = True) -> HornqApp:
        return HornqApp(home, start_engine=False, now=fixed_now if clock else None, poll=poll)

    yield make


async def settle(pilot, seconds: float = 0.1) -> None:
    await pilot.pause(seconds)


async def wait_until(pilot, predicate: Callable[[], object], timeout: float = 30.0) -> None:
    """Let the app run until predicate() holds (bounded; not a speed assertion)."""
    for _ in range(int(timeout / 0.1)):
        if predicate():
            return
        await pilot.pause(0.1)
    raise AssertionError("condition not met")


async def quit_app(app: HornqApp, pilot) -> None:
    """Press q and wait until the app has written its view and asked to exit."""
    await pilot.press("q")
    for _ in range(3000):
        if app.return_code is not None:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the app did not exit")


def plain(renderable: object) -> str:
    console = Console(width=120, file=io.StringIO(), record=True)
    console.print(renderable)
    return console.export_text()


def select(app: HornqApp, job_id: str) -> None:
    app.main.table.reselect(job_id)
