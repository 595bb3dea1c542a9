"""Snapshots of the main screens at the sizes users work in: 80×24 over SSH, and 120×40; help and the first
screen also at 60×20, where they must stay readable."""

from __future__ import annotations

from pathlib import Path

import pytest

APP = str(Path(__file__).parent / "main_app.py")
EMPTY_APP = str(Path(__file__).parent / "empty_app.py")
SIZES = [(80, 24), (120, 40)]
NARROW = [(80, 24), (60, 20)]


@pytest.mark.parametrize("size", SIZES)
def test_main_screen_with_jobs_in_every_state(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(APP, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_detail_of_a_failed_job(snap_compare, size: tuple[int, int]) -> None:
    async def open_detail(pilot) -> None:
        await pilot.press("down", "down", "down", "enter")
        await pilot.pause()

    assert snap_compare(APP, terminal_size=size, run_before=open_detail)


@pytest.mark.parametrize("size", SIZES)
def test_log_of_a_running_job(snap_compare, size: tuple[int, int]) -> None:
    async def open_log(pilot) -> None:
        await pilot.press("down", "l")
        await pilot.pause(0.7)

    assert snap_compare(APP, terminal_size=size, run_before=open_log)


@pytest.mark.parametrize("size", NARROW)
def test_first_screen_of_an_empty_queue_says_what_to_do(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(EMPTY_APP, terminal_size=size)


@pytest.mark.parametrize("size", [*SIZES, (60, 20)])
def test_help_screen(snap_compare, size: tuple[int, int]) -> None:
    async def open_help(pilot) -> None:
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(APP, terminal_size=size, run_before=open_help)


@pytest.mark.parametrize("size", SIZES)
def test_cancel_confirmation_defaults_to_no(snap_compare, size: tuple[int, int]) -> None:
    async def ask_cancel(pilot) -> None:
        await pilot.press("down", "c")
        await pilot.pause()

    assert snap_compare(APP, terminal_size=size, run_before=ask_cancel)
