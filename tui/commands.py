"""Command-palette entries for every action of the screen the palette was opened on, each with its key."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.keys import KeyRow, live_rows


class ActionCommands(Provider):
    """The live bindings of the screen under the palette (``self.screen``; ``app.screen`` is the palette itself
    while it is open), keymap applied: searching "cancel" finds "Cancel (c)" and runs it on that screen."""

    def _commands(self) -> list[tuple[str, KeyRow]]:
        rows = [row for row in live_rows(self.screen) if row.action not in ("command_palette", "app.command_palette")]
        return [(f"{row.description} ({row.shown_keys})", row) for row in rows]

    async def discover(self) -> Hits:
        for name, row in self._commands():
            yield DiscoveryHit(name, partial(self.app.run_action, row.action, row.node), help=row.tooltip)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, row in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(name), partial(self.app.run_action, row.action, row.node), help=row.tooltip
                )
