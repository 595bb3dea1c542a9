"""The hornq config being built from an ATH config: each value with where it came from, and what went unused.

Every entry the mapping reads is marked used; whatever is left at the end becomes one note naming its line,
key and value, with the reason hornq has no use for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.errors import ConfigError
from engine.solvers.horn.ath.reader import Entry
from engine.solvers.horn.expr import parse_expression

#: Why hornq does not use an ATH key, by the start of its name (the first match wins).
REASONS: tuple[tuple[str, str], ...] = (
    ("Morph.", "hornq does not morph the mouth; the horn keeps its profile's cross-section"),
    ("MORPH.", "hornq does not morph the mouth; the horn keeps its profile's cross-section"),
    ("GCurve.", "hornq has no guiding curves"),
    ("Throat.Ext.", "hornq has no throat extension; the horn starts at r0"),
    ("Slot.", "hornq has no throat slot; the horn starts at r0"),
    ("Rot", "hornq does not rotate the profile"),
    ("Source.", "hornq drives the flat throat disc with a uniform velocity ([drive])"),
    ("LE", "hornq has no lumped-element driver model; it drives a velocity ([drive])"),
    ("Mesh.Enclosure", "hornq solves the horn free-standing, without an enclosure"),
    ("Mesh.", "hornq meshes by element size only (mesh.throat_size, mesh.mouth_size)"),
    ("ABEC.Polars:", "hornq's polars have no such setting"),
    ("ABEC.", "an ABEC project setting hornq has no use for"),
    ("Output.", "an ATH output switch; hornq keeps results in its store (hornq export, hornq mesh)"),
    ("Report.", "ATH report layout; hornq draws its own charts"),
    ("GridExport", "an ATH export; hornq export writes FRD, CSV or JSON"),
    ("FRDExport", "an ATH export; hornq export writes FRD, CSV or JSON"),
)
DEFAULT_REASON = "hornq has no matching setting"


@dataclass(frozen=True)
class Setting:
    """A hornq config value and where it came from (the comment beside it in the written TOML)."""

    value: Any
    origin: str


@dataclass
class Draft:
    """The entries of an ATH config and the hornq config made of them so far."""

    entries: list[Entry]
    label: Setting | None = None
    sections: dict[str, dict[str, Setting]] = field(default_factory=dict)
    #: Comment lines written at the top of a section (defaults taken, assumptions made).
    remarks: dict[str, list[str]] = field(default_factory=dict)
    #: (line, note) for the entries hornq does not use.
    noted: list[tuple[int, str]] = field(default_factory=list)
    used: set[int] = field(default_factory=set)

    @property
    def notes(self) -> list[str]:
        """The notes in the order of the lines they are about."""
        return [text for _, text in sorted(self.noted, key=lambda pair: pair[0])]

    def find(self, key: str) -> Entry | None:
        """The entry setting ``key``: the last one when it is set twice."""
        for index in reversed(range(len(self.entries))):
            entry = self.entries[index]
            if entry.name and entry.key == key:
                return entry
        return None

    def take(self, key: str) -> Entry | None:
        """``find``, marking the entry used; an earlier entry of the same key gets a note that it was overridden."""
        entry = self.find(key)
        if entry is None:
            return None
        for index, other in enumerate(self.entries):
            if other.name and other.key == key:
                if other is not entry and index not in self.used:
                    self.note(other, f"set again on line {entry.line}, which is used")
                self.used.add(index)
        return entry

    def within(self, block: str) -> list[Entry]:
        """The entries written inside a top-level block (rows included), in file order."""
        return [entry for entry in self.entries if entry.block[:1] == (block,)]

    def mark(self, entry: Entry) -> None:
        self.used.update(index for index, other in enumerate(self.entries) if other is entry)

    def note(self, entry: Entry, reason: str) -> None:
        """One note for an entry hornq does not use; the entry counts as handled."""
        self.noted.append((entry.line, f"{entry.shown()}: {reason}"))
        self.mark(entry)

    def set(self, section: str, key: str, value: Any, origin: str) -> None:
        self.sections.setdefault(section, {})[key] = Setting(value, origin)

    def remark(self, section: str, text: str) -> None:
        self.remarks.setdefault(section, []).append(text)

    def leftovers(self) -> None:
        """A note for every entry nothing used, one per key (a block's rows make one note per block)."""
        noted_rows: set[tuple[str, ...]] = set()
        for index, entry in enumerate(self.entries):
            if index in self.used:
                continue
            if not entry.name:
                if entry.block in noted_rows:
                    continue
                noted_rows.add(entry.block)
            self.note(entry, reason_for(entry.key))

    def config(self) -> dict[str, Any]:
        """The raw hornq config: what ``hornq submit`` reads from a TOML file."""
        raw: dict[str, Any] = {"kind": "horn"}
        if self.label is not None:
            raw["label"] = self.label.value
        for name, table in self.sections.items():
            raw[name] = {key: setting.value for key, setting in table.items()}
        return raw


def reason_for(key: str) -> str:
    return next((reason for prefix, reason in REASONS if key.startswith(prefix)), DEFAULT_REASON)


def number(entry: Entry) -> float:
    """An entry's value as a number; constant arithmetic (``25.4/2``, ``1e3``) is evaluated."""
    expression = parse_expression(entry.value, f"line {entry.line}: {entry.key}")
    if not expression.constant:
        raise ConfigError(f"line {entry.line}: {entry.key}: hornq needs a number here, not an expression of p")
    return plain(expression(0.0))


def number_or_expression(entry: Entry) -> float | str:
    """A number, or the expression of the azimuth ``p`` (checked to parse), its runs of spaces made one."""
    expression = parse_expression(entry.value, f"line {entry.line}: {entry.key}")
    return plain(expression(0.0)) if expression.constant else " ".join(expression.text.split())


def whole(entry: Entry) -> int:
    value = number(entry)
    if not float(value).is_integer():
        raise ConfigError(f"line {entry.line}: {entry.key}: expected a whole number, got {entry.value}")
    return int(value)


def numbers(entry: Entry, count: int) -> list[float]:
    """A comma-separated list of ``count`` numbers, such as ``MapAngleRange = 0,180,37``."""
    parts = [part.strip() for part in entry.value.split(",")]
    if len(parts) != count:
        raise ConfigError(f"line {entry.line}: {entry.key}: expected {count} comma-separated numbers")
    return [number(Entry(entry.block, entry.name, part, entry.line)) for part in parts]


def plain(value: float) -> float:
    """Rounded to 10 significant digits, so that 25.4/2 reads 12.7 and not 12.700000000000001."""
    return float(f"{value:.10g}")
