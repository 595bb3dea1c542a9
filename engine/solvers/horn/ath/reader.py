"""The syntax of an ATH config, read into entries that remember their line.

An ATH config (Ath 4.x, with its ABEC settings) is lines of ``Key = value``; ``;`` starts a comment (outside double
quotes). ``Name = {`` opens a block that ``}`` on its own line closes; blocks nest, and their entries are the
block's keys: ``Mesh = { ThroatResolution = 5 }`` says the same as ``Mesh.ThroatResolution = 5``. A line without
``=`` inside a block is one of the block's rows (an enclosure plan's points, a source's contours). A name starting
with ``_`` is switched off, with everything beneath it. An empty value leaves the key unset. A value is kept as
written: a number, an expression of the azimuth ``p``, a comma-separated list or a quoted string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.errors import ConfigError

#: Key names as ATH writes them: ``Coverage.Angle``, ``R-OSSE``, ``ABEC.Polars:SPL_H``.
_NAME = re.compile(r"[A-Za-z_][\w.:\-]*")
#: Top-level names that mark a file as an ATH config (profile blocks and ATH's own key families).
_MARKERS = re.compile(
    r"(R-OSSE|OSSE)\s*=\s*\{?\s*$|(Throat|Coverage|Term|OS|Mesh|ABEC|Morph|Source|Output|GCurve)\.\w|Length\s*="
)


@dataclass(frozen=True)
class Entry:
    """One ``key = value`` (or a block's row, with ``name`` empty), the line it was written on, and the line that
    opened its top-level block (0 at top level)."""

    block: tuple[str, ...]
    name: str
    value: str
    line: int
    opened: int = 0

    @property
    def key(self) -> str:
        """The key as written at top level: a block's name, a dot, the entry's name."""
        return ".".join((*self.block, self.name)) if self.name else ".".join(self.block)

    def shown(self) -> str:
        """``line 12: Coverage.Angle = 45 - 5*cos(p)^2``, as notes and errors quote it."""
        value = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        if not self.name:
            return f"line {self.line}: {self.key} = {{ {value} }}"
        return f"line {self.line}: {self.key} = {value}"


def looks_like_ath(text: str) -> bool:
    """Whether ``text`` reads as an ATH config: a profile block or an ATH key family, and no TOML ``[section]``."""
    marked = False
    for raw in text.splitlines():
        line = _without_comment(raw).strip()
        if line.startswith("["):
            return False
        marked = marked or bool(_MARKERS.match(line))
    return marked


def read(text: str) -> list[Entry]:
    """Every active entry of an ATH config, in file order; ConfigError naming the line when one cannot be read."""
    entries: list[Entry] = []
    blocks: list[tuple[str, int]] = []  # open blocks: name and the line that opened them
    switched_off = 0  # depth inside a block whose name starts with "_"
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        number, line = index + 1, _without_comment(lines[index]).strip()
        index += 1
        if not line:
            continue
        if line == "}":
            if switched_off:
                switched_off -= 1
            elif blocks:
                blocks.pop()
            else:
                raise ConfigError(f"line {number}: '}}' closes no block")
            continue
        name, value = _split(line, number, inside=bool(blocks) or bool(switched_off))
        if name is None:
            if not switched_off:
                entries.append(Entry(_path(blocks), "", value, number, blocks[0][1]))
            continue
        if value == "" and _next_line(lines, index) == "{":
            value, index = "{", _skip_to_brace(lines, index) + 1
        if value == "{":
            if switched_off or name.startswith("_"):
                switched_off += 1
            else:
                blocks.append((name, number))
            continue
        if "{" in value or "}" in value:
            raise ConfigError(f"line {number}: {name}: a block's entries go on their own lines between '{{' and '}}'")
        if not switched_off and not name.startswith("_") and value:
            entries.append(Entry(_path(blocks), name, _unquoted(value), number, blocks[0][1] if blocks else 0))
    if blocks:
        name, number = blocks[-1]
        raise ConfigError(f"line {number}: block '{name}' is never closed (no '}}' for it)")
    return entries


def _path(blocks: list[tuple[str, int]]) -> tuple[str, ...]:
    return tuple(name for name, _ in blocks)


def _split(line: str, number: int, inside: bool) -> tuple[str | None, str]:
    """(name, value) of ``name = value``; (None, row) for a block's row; ConfigError for anything else."""
    if "=" in line:
        name, value = (part.strip() for part in line.split("=", 1))
        if _NAME.fullmatch(name):
            return name, value
    if inside:
        return None, line
    hint = " (ATH comments start with ';')" if line.startswith(("#", "//")) else ""
    shown = line if len(line) <= 40 else line[:37] + "..."
    raise ConfigError(f"line {number}: cannot read '{shown}': expected Key = value{hint}")


def _without_comment(line: str) -> str:
    """The line up to its first ``;`` outside double quotes."""
    quoted = False
    for position, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            return line[:position]
    return line


def _next_line(lines: list[str], index: int) -> str | None:
    """The next line with content after ``index`` (comments removed), for ``Name =`` with ``{`` below it."""
    for raw in lines[index:]:
        line = _without_comment(raw).strip()
        if line:
            return line
    return None


def _skip_to_brace(lines: list[str], index: int) -> int:
    while _without_comment(lines[index]).strip() != "{":
        index += 1
    return index


def _unquoted(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
