"""The app as its screens see it: screens type ``self.app`` with this, so they never import the app module.

The app module imports the screens to push them; this interface keeps that dependency one-way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from engine.paths import Home
from tui.state import ViewState


class AppHost(Protocol):
    """The view state, the poller and the actions the screens share, all kept by the one app."""

    home: Home
    now: Callable[[], datetime]
    poll: bool
    state: ViewState
    state_dirty: bool

    def study_names(self, study_ids: set[str]) -> dict[str, str]: ...

    def load_now(self) -> None: ...

    def poll_loop(self) -> Any: ...

    def set_query(self, **changes: Any) -> None: ...

    def wake_poller(self) -> None: ...

    def ensure_engine(self, *, announce: bool) -> None: ...

    def after_submit(self, job_id: str) -> None: ...

    def open_detail(self, job_id: str, tab: str) -> None: ...

    def export(self, ids: list[str], fmt: str, directory: str) -> str | None: ...

    def edit_text(self, text: str, suffix: str) -> str | None: ...
