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
    """The view state and the services the screens share, all kept by the one app."""

    home: Home
    keys: dict[str, str]
    now: Callable[[], datetime]
    poll: bool
    start_engine: bool
    state: ViewState
    state_dirty: bool

    def ensure_engine(self, *, announce: bool) -> Any: ...

    def open_detail(self, job_id: str, tab: str) -> None: ...

    def show_charts(self, ids: list[str], names: dict[str, str] | None = None) -> Any: ...

    def edit_text(self, text: str, suffix: str) -> str | None: ...
