"""The detail screen's elapsed time and ETA follow the clock while the job runs, with no extra reads."""

from __future__ import annotations

from datetime import datetime, timedelta

from textual.widgets import Static

from engine.paths import Home
from tests.tui.conftest import plain, wait_until
from tests.tui.sample import NOW
from tui import cells
from tui.app import HornqApp
from tui.detail import DetailScreen
from tui.messages import JobRead


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.at = start

    def __call__(self) -> datetime:
        return self.at


async def test_elapsed_and_eta_count_on_while_the_job_row_stays_the_same(home: Home, sample: dict[str, str]) -> None:
    clock = Clock(NOW)
    app = HornqApp(home, start_engine=False, now=clock, poll=False)
    reads: list[JobRead] = []
    async with app.run_test(size=(120, 40), message_hook=lambda m: isinstance(m, JobRead) and reads.append(m)) as pilot:
        app.open_detail(sample["running"], "overview")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen) and app.screen.query("#overview-body"))
        body = app.screen.query_one("#overview-body", Static)
        await wait_until(pilot, lambda: "25m00s" in plain(body.content))
        job = reads[0].detail.job
        clock.at = NOW + timedelta(seconds=3)
        await wait_until(pilot, lambda: "25m03s" in plain(body.content), timeout=3)
        assert cells.duration(cells.eta_s(job, clock.at)) in plain(body.content)
        assert len(reads) == 1, "the job was read once: its row never changed"
