"""The view a user leaves (filter, sort, search, selection, theme) comes back on the next start."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from engine.paths import open_private
from engine.store.lifecycle import Status
from engine.store.watch import SORTS

STATE_FILE = "tui-state.json"


@dataclass
class ViewState:
    statuses: list[str] = field(default_factory=list)
    search: str = ""
    sort: str = "created"
    descending: bool = True
    selected: str | None = None
    theme: str = "hornq-dusk"
    bell: bool = False

    @classmethod
    def load(cls, home: Path) -> ViewState:
        """A missing or damaged file gives the defaults: remembering the view is a convenience."""
        try:
            data = json.loads((home / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        state = cls()
        if isinstance(data, dict):
            statuses = data.get("statuses")
            if isinstance(statuses, list):
                state.statuses = [s for s in statuses if s in Status.__members__.values()]
            for name, kind in (("search", str), ("theme", str), ("descending", bool), ("bell", bool)):
                if isinstance(data.get(name), kind):
                    setattr(state, name, data[name])
            if data.get("sort") in SORTS:
                state.sort = data["sort"]
            if isinstance(data.get("selected"), str):
                state.selected = data["selected"]
        return state

    def save(self, home: Path) -> None:
        path = home / STATE_FILE
        partial = path.with_name(STATE_FILE + ".partial")
        with open_private(partial, "w", encoding="utf-8") as out:
            json.dump(asdict(self), out)
        partial.replace(path)
