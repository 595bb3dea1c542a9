"""Command-palette entries for every action of the job table, searchable by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ActionCommands(Provider):
    """Offers the main screen's bindings (and ones the footer has no room for) as palette commands."""

    def _commands(self) -> list[tuple[str, str, str]]:
        screen = self.app.screen
        entries = getattr(screen, "palette_commands", None)
        return entries() if entries else []

    async def discover(self) -> Hits:
        for name, help_text, action in self._commands():
            yield DiscoveryHit(name, partial(self.app.run_action, action, self.app.screen), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(name),
                    partial(self.app.run_action, action, self.app.screen),
                    help=help_text,
                )
