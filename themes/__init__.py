"""Textual themes shipped with hornq, and the loader for user themes written as TOML files.

Themes are data, not code: the built-in ones are ``*.toml`` files next to this module, in the same format a
user puts in ``$HORNQ_HOME/themes/``. Every problem with a file is reported as one line naming the file and the
field, so a typo in a user's theme costs a message, never a crash.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

__all__ = ["COLOR_FIELDS", "builtin_themes", "load_theme_file", "load_user_themes", "parse_theme"]

#: Theme fields that hold a colour; only ``primary`` is required, Textual derives the others.
COLOR_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "success",
    "warning",
    "error",
)
_NUMBER_FIELDS = ("luminosity_spread", "text_alpha")
_KNOWN_FIELDS = frozenset({"name", "dark", "variables", *COLOR_FIELDS, *_NUMBER_FIELDS})


def parse_theme(data: dict[str, Any], source: str) -> Theme:
    """Build a Theme from parsed TOML, raising ``ValueError("<source>: <field>: <problem>")`` on bad input.

    Colours are parsed now rather than when the theme is first applied, so a bad file is rejected at load
    time with its name attached instead of failing later inside Textual.
    """
    for key in data:
        if key not in _KNOWN_FIELDS:
            raise ValueError(f"{source}: unknown field {key!r} (expected one of: {', '.join(sorted(_KNOWN_FIELDS))})")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{source}: name: a non-empty string is required")
    if "primary" not in data:
        raise ValueError(f"{source}: primary: this colour is required")
    colors: dict[str, str] = {}
    for field in COLOR_FIELDS:
        if field in data:
            colors[field] = _color(data[field], source, field)
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ValueError(f"{source}: dark: expected true or false, got {dark!r}")
    numbers: dict[str, float] = {}
    for field in _NUMBER_FIELDS:
        if field in data:
            value = data[field]
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ValueError(f"{source}: {field}: expected a number between 0 and 1, got {value!r}")
            numbers[field] = float(value)
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError(f"{source}: variables: expected a table of names to values")
    for key, value in variables.items():
        if not isinstance(value, str):
            raise ValueError(f"{source}: variables.{key}: expected a string, got {value!r}")
    return Theme(name=name.strip(), dark=dark, variables=dict(variables), **colors, **numbers)


def _color(value: Any, source: str, field: str) -> str:
    """The colour string unchanged if Textual can parse it; otherwise a one-line error naming the field."""
    if not isinstance(value, str):
        raise ValueError(f'{source}: {field}: expected a colour string like "#1C2027", got {value!r}')
    try:
        Color.parse(value)
    except ColorParseError:
        hint = 'try "#RRGGBB" or "rgb(r, g, b)"'
        raise ValueError(f"{source}: {field}: {value!r} is not a colour ({hint})") from None
    return value


def _parse_text(text: str, source: str) -> Theme:
    """Parse TOML text into a Theme; TOML syntax errors become the same one-line ValueError."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{source}: not valid TOML: {error}") from None
    return parse_theme(data, source)


def load_theme_file(path: str | Path) -> Theme:
    """Load one theme file; ``ValueError`` (one line, naming the file and field) if it is unreadable or invalid."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot be read: {error}") from None
    return _parse_text(text, str(path))


def builtin_themes() -> list[Theme]:
    """The themes shipped with hornq (``hornq-dusk``, ``hornq-paper``, …), sorted by name."""
    files = [entry for entry in resources.files(__name__).iterdir() if entry.name.endswith(".toml")]
    themes = [_parse_text(entry.read_text(encoding="utf-8"), f"themes/{entry.name}") for entry in files]
    return sorted(themes, key=lambda theme: theme.name)


def load_user_themes(directory: str | Path) -> tuple[list[Theme], list[str]]:
    """Every ``*.toml`` theme in ``directory`` plus one error line per bad file; never raises for a bad file.

    A missing directory is not an error: most users never create one. A name used by an earlier file (in
    sorted order) is reported rather than silently replacing it.
    """
    directory = Path(directory)
    if not directory.is_dir():
        return [], []
    themes: list[Theme] = []
    errors: list[str] = []
    seen: dict[str, Path] = {}
    for path in sorted(directory.glob("*.toml")):
        try:
            theme = load_theme_file(path)
        except ValueError as error:
            errors.append(str(error))
            continue
        if theme.name in seen:
            errors.append(f"{path}: name: {theme.name!r} is already defined by {seen[theme.name]}")
            continue
        seen[theme.name] = path
        themes.append(theme)
    return themes, errors
