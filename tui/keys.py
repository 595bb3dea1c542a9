"""Keys as a user types them, the keymap file, and the bindings a screen answers to now.

Binding ids name their screen (``main.cancel``, ``detail.back``, ``results.close``), so ``keymap.toml`` can
move a key on one screen without moving it on another. Help and the command palette read the live bindings,
keymap applied, so they always name the key that works.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import format_key, key_to_character
from textual.screen import Screen

#: Ids before they named their screen; a keymap.toml using them still works, with a warning naming the new id.
RENAMED = {
    "quit": "app.quit",
    "help": "app.help",
    "theme": "app.theme",
    "detail": "main.detail",
    "log": "main.log",
    "charts": "main.charts",
    "new": "main.new",
    "cancel": "main.cancel",
    "delete": "main.delete",
    "rerun": "main.rerun",
    "rerun-edit": "main.rerun-edit",
    "label": "main.label",
    "export": "main.export",
    "search": "main.search",
    "filter": "main.filter",
    "sort": "main.sort",
    "sort-reverse": "main.sort-reverse",
    "unmark": "main.unmark",
    "cap-up": "main.cap-up",
    "cap-down": "main.cap-down",
    "engine-start": "main.engine-start",
    "bell": "main.bell",
    "compare": "main.compare",
    "mark": "main.mark",
    "fold": "main.fold",
    "detail.results": "detail.charts",
}


def key_display(key: str) -> str:
    """A Textual key name as a user types it: ``question_mark`` is ``?``, ``minus`` is ``-``; named keys
    (``enter``, ``escape``, ``ctrl+e``) keep their names, which is also how ``keymap.toml`` writes them."""
    character = key_to_character(key) or format_key(key)
    typed = len(character) == 1 and character.isprintable() and (character.isascii() or character == key)
    return character if typed and key != "space" else key


def keys_display(keys: Iterable[str]) -> str:
    return " ".join(key_display(key) for key in keys)


@dataclass(frozen=True)
class KeyRow:
    """One binding as help and the palette list it: its keys (keymap applied), what it does, its id, and the
    node its action runs on (None for a screen that is not open)."""

    keys: tuple[str, ...]
    description: str
    tooltip: str
    id: str
    action: str
    node: DOMNode | None = None

    @property
    def shown_keys(self) -> str:
        return keys_display(self.keys)


def live_rows(screen: Screen) -> list[KeyRow]:
    """What each key does on this screen now: the focused widget's bindings, the screen's, then the app's, with
    the keymap applied and a key shadowed by a nearer binding left out, as Textual dispatches them. Only hornq's
    bindings (those with an id) are listed."""
    rows: dict[tuple[int, str], KeyRow] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.id or not binding.description:
            continue
        ident = (id(active.node), binding.id)
        found = rows.get(ident)
        if found is None:
            rows[ident] = KeyRow((key,), binding.description, binding.tooltip, binding.id, binding.action, active.node)
        else:
            rows[ident] = replace(found, keys=(*found.keys, key))
    return list(rows.values())


def declared_bindings(*classes: type[DOMNode]) -> list[Binding]:
    """The bindings the classes declare, each class's own before those it inherits."""
    found = []
    for cls in classes:
        for base in cls.__mro__:
            found.extend(b for b in vars(base).get("BINDINGS", ()) if isinstance(b, Binding))
    return found


def key_names(keymap: Mapping[str, str], *classes: type[DOMNode]) -> dict[str, str]:
    """Binding id → its keys as typed, for the bindings the classes declare with the keymap applied: what a hint
    names, whichever widget has focus at the moment."""
    return {row.id: row.shown_keys for row in declared_rows(declared_bindings(*classes), keymap)}


def declared_rows(bindings: Iterable[Binding], keymap: Mapping[str, str]) -> list[KeyRow]:
    """Bindings as declared (for a screen that is not open, or a hint), with the keymap applied as Textual
    applies it."""
    rows: dict[str, KeyRow] = {}
    for binding in bindings:
        if not binding.id or not binding.description or binding.id in rows:
            continue
        keys = keymap.get(binding.id, binding.key)
        rows[binding.id] = KeyRow(
            tuple(key.strip() for key in keys.split(",")), binding.description, binding.tooltip, binding.id, ""
        )
    return list(rows.values())


def clashes(screens: Iterable[tuple[str, list[Binding]]], keymap: Mapping[str, str]) -> list[str]:
    """One line per key the keymap moves onto another binding of a screen: there only one of them can have it."""
    problems = []
    for title, bindings in screens:
        defaults = {row.id: set(map(key_display, row.keys)) for row in declared_rows(bindings, {})}
        owners: dict[str, list[KeyRow]] = {}
        for row in declared_rows(bindings, keymap):
            for key in row.keys:
                owners.setdefault(key_display(key), []).append(row)
        for key, rows in owners.items():
            moved = [row.id for row in rows if row.id in keymap and key not in defaults[row.id]]
            if len(rows) > 1 and moved:
                others = ", ".join(row.id for row in rows if row.id not in moved) or ", ".join(moved[1:])
                problems.append(f"keymap.toml: {key} is {moved[0]} and also {others} on the {title.lower()}")
    return problems


def parse_keymap(text: str, known: set[str]) -> tuple[dict[str, str], list[str]]:
    """``keymap.toml``'s ``[keys]`` table as binding id → keys, and one line per problem to show. Ids from before
    they named their screen still work, and a warning names the new ones; unknown ids are reported."""
    table = tomllib.loads(text).get("keys", {})
    keymap: dict[str, str] = {}
    renamed: list[str] = []
    unknown: list[str] = []
    wrong: list[str] = []
    for name, value in table.items() if isinstance(table, dict) else ():
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = ",".join(value)
        if not isinstance(value, str) or not value.strip():
            wrong.append(name)
            continue
        if name in RENAMED and name not in known:
            renamed.append(f"{RENAMED[name]} for {name}")
            name = RENAMED[name]
        if name not in known:
            unknown.append(name)
            continue
        keymap[name] = value
    problems = []
    if renamed:
        problems.append("keymap.toml: binding ids now name their screen: write " + ", ".join(renamed))
    if unknown:
        problems.append("keymap.toml: no binding has the id " + ", ".join(unknown) + " (? lists the ids)")
    if wrong:
        problems.append('keymap.toml: give keys as a string such as "N" or "ctrl+n,N": ' + ", ".join(wrong))
    return keymap, problems
