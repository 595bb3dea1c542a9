"""The `?` screen: the keys of the screen it was opened on as they work now, then every other screen's, each
with what it does and the binding id ``keymap.toml`` names it by."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.keys import KeyRow

Section = tuple[str, list[KeyRow]]
#: Below this width the binding id goes under the description instead of in a column of its own.
WIDE = 64


class KeyTable:
    """Sections of key rows: keys, description and tooltip, id. Narrow, the id moves under its description so
    descriptions keep room to wrap instead of being cut."""

    def __init__(self, sections: list[Section]) -> None:
        self.sections = sections

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        wide = options.max_width >= WIDE
        id_width = max((len(row.id) for _, section in self.sections for row in section), default=1)
        for index, (title, section) in enumerate(self.sections):
            key_width = max((len(row.shown_keys) for row in section), default=1)
            yield Text(("\n" if index else "") + title, style="bold underline")
            table = Table(box=None, padding=(0, 1), show_header=False, expand=True, pad_edge=False)
            table.add_column(width=key_width, no_wrap=True, style="bold")
            table.add_column(ratio=1)
            if wide:
                table.add_column(width=id_width, no_wrap=True, style="dim")
            for row in section:
                what = Text(row.description, style="bold")
                if row.tooltip:
                    what.append(f"  {row.tooltip}")
                if wide:
                    table.add_row(row.shown_keys, what, row.id)
                else:
                    what.append(f"\n{row.id}", style="dim")
                    table.add_row(row.shown_keys, what)
            yield table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close", tooltip="close this help")]

    def __init__(self, sections: list[Section]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Static("hornq keys · Esc closes · ids for keymap.toml", classes="dialog-title", markup=False)
            yield Static(KeyTable(self.sections))

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
