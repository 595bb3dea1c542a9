"""The new-job dialog shows what a config will cost before Enter queues it."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from engine.paths import Home
from engine.store.models import Job
from tests.test_estimate_cli import COARSE
from tests.tui.conftest import wait_until
from tui.new_job import NewJobDialog


def estimate_text(dialog: NewJobDialog) -> str:
    return str(dialog.query_one("#estimate").render())


async def test_the_dialog_shows_the_estimate_and_its_warning_before_anything_is_queued(
    make_app, home: Home, tmp_path: Path
) -> None:
    path = tmp_path / "horn.toml"
    path.write_text(COARSE)
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("n")
        dialog = app.screen
        assert isinstance(dialog, NewJobDialog)
        dialog.query_one(Input).value = str(path)
        await wait_until(pilot, lambda: estimate_text(dialog))
        text = estimate_text(dialog)
        assert text.startswith("estimate: 3-D, ") and "quarter model" in text
        assert "warning: the mesh has 6 elements per wavelength only up to 7.6 kHz" in text
        assert Job.select().count() == 0


async def test_a_path_that_is_not_a_config_shows_no_estimate_and_enter_still_explains(
    make_app, home: Home, tmp_path: Path
) -> None:
    path = tmp_path / "horn.toml"
    path.write_text(COARSE)
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("n")
        dialog = app.screen
        dialog.query_one(Input).value = str(path)
        await wait_until(pilot, lambda: estimate_text(dialog))
        dialog.query_one(Input).value = str(tmp_path / "missing.toml")
        await pilot.pause()
        assert estimate_text(dialog) == ""
        await pilot.press("enter")
        await wait_until(pilot, lambda: "no such file" in str(dialog.query_one("#error").render()))
        assert estimate_text(dialog) == ""
