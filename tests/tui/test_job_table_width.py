"""The job table fits the terminal's width: the ETA of a running job stays in sight on narrow screens."""

from __future__ import annotations

import pytest

from tests.tui.conftest import select
from tui import cells
from tui.jobtable import COLUMN_KEYS, JobTable, fit_columns
from tui.main import MainScreen


def row_on_screen(table: JobTable, job_id: str) -> str:
    """The text of the job's row as the terminal shows it (only the part within the table's width)."""
    lines = [table.render_line(y).text for y in range(table.size.height)]
    return next(line for line in lines if job_id[:8] in line)


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_the_eta_and_elapsed_time_of_a_running_job_are_in_sight(
    make_app, sample: dict[str, str], size: tuple[int, int]
) -> None:
    app = make_app(poll=False)
    async with app.run_test(size=size):
        table = app.main.table
        job = table.views[sample["running"]]
        eta = cells.duration(cells.eta_s(job, app.now()))
        elapsed = cells.duration(cells.elapsed_s(job, app.now()))
        assert eta and elapsed
        row = row_on_screen(table, job.id)
        assert eta in row and elapsed in row
        assert table.virtual_size.width <= table.scrollable_content_region.width, "nothing is scrolled off"


def test_a_narrow_table_gives_up_the_queued_time_before_the_stage_shrinks() -> None:
    widths = fit_columns(100, padding=1)
    assert "queued" not in widths
    assert widths["message"] < 28 and {"eta", "elapsed", "label"} <= set(widths)


def test_at_80_columns_the_label_stays_and_the_stage_goes() -> None:
    widths = fit_columns(78, padding=1)
    assert list(widths) == ["mark", "id", "label", "kind", "status", "progress", "elapsed", "eta"]
    assert widths["label"] == 12


def test_a_wide_table_shows_every_column_and_gives_the_slack_to_the_stage() -> None:
    widths = fit_columns(160, padding=1)
    assert list(widths) == list(COLUMN_KEYS)
    assert widths["message"] == 28 + 160 - 118


async def test_widening_the_terminal_brings_back_the_queued_time_and_the_stage(
    make_app, sample: dict[str, str]
) -> None:
    app = make_app(poll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.main.table
        select(app, sample["error"])
        assert "queued" not in table.widths
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert "queued" in table.widths and "message" in table.widths
        assert table.get_cell(sample["running"], "queued") == "11:30:00"
        assert "exit code 2: no mesh file" in row_on_screen(table, sample["error"])
        assert table.selected_id == sample["error"], "the cursor stays on its job"


async def test_a_cell_of_a_hidden_column_keeps_its_updates(make_app, sample: dict[str, str]) -> None:
    app = make_app(poll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.main.table
        table.update_cell(sample["running"], "message", "Solving 13/40 at 1.4 kHz")
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert "Solving 13/40 at 1.4 kHz" in row_on_screen(table, sample["running"])


async def test_the_sort_arrow_shows_only_when_its_column_is_shown(make_app, sample: dict[str, str]) -> None:
    app = make_app(poll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.main.table
        assert isinstance(app.screen, MainScreen)
        assert not any("↓" in column.label.plain for column in table.columns.values())
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert [c.label.plain for c in table.columns.values() if "↓" in c.label.plain] == ["Queued↓"]
