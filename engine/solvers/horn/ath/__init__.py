"""ATH configs as hornq horn jobs: users of ATH (Ath 4.x) and ABEC keep their designs as ATH config files.

``reader`` reads the syntax (entries with their lines), ``profile`` maps the horn profile and ``settings`` the
mesh, sweep, polars and symmetry onto hornq's config, and ``writer`` writes the result as commented TOML. A key
hornq has no use for is never an error: it becomes a note naming its line, key and value and why. Pure Python,
so the CLI can import and validate an ATH file as cheaply as a TOML one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.solvers.horn.ath import profile, reader, settings, writer
from engine.solvers.horn.ath.draft import Draft


@dataclass(frozen=True)
class Imported:
    """An ATH config as hornq sees it: the raw config (as read from TOML), the notes on the keys hornq does not
    use, and the same config as commented TOML."""

    raw: dict[str, Any]
    notes: list[str]
    toml: str


def import_config(text: str, source: str) -> Imported | None:
    """``text`` as a hornq horn config, or None when it is not an ATH config; ConfigError naming the line when
    it is one that cannot be read. ``source`` names the file in the TOML's head."""
    text = text.removeprefix("\ufeff")  # the byte-order mark Windows editors put first
    if not reader.looks_like_ath(text):
        return None
    draft = Draft(reader.read(text))
    profile.map_profile(draft)
    settings.map_settings(draft)
    draft.leftovers()
    return Imported(draft.config(), draft.notes, writer.write(draft, source))
