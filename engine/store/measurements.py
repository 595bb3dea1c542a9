"""Measured responses kept by name beside the jobs, so simulations can be compared with what was measured.

A measurement is a document shaped like its kind's results (for horns: FRD files read by the horn plugin's
``read_measurement`` entry), stored whole and never changed: to correct one, remove it and add it again.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from typing import Any

import peewee

from engine.errors import Conflict, NotFound, UsageError
from engine.store.models import Measurement, database, utcnow

NAME_MAX = 100


@dataclass(frozen=True)
class Stored:
    """A measurement's row without its document, for lists."""

    name: str
    kind: str
    created_at: str
    summary: str

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "created_at": self.created_at, "summary": self.summary}


def check_name(name: str) -> str:
    """A name to type on a command line: printable, at most ``NAME_MAX`` characters, spaces at the ends dropped."""
    name = name.strip()
    if not name:
        raise UsageError("a measurement needs a name")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise UsageError(f"measurement name {name!r} contains control characters")
    if len(name) > NAME_MAX:
        raise UsageError(f"measurement names are at most {NAME_MAX} characters")
    return name


def add(name: str, kind: str, document: dict[str, Any]) -> Stored:
    """Store a measurement under a new name; a name already taken is a conflict and changes nothing."""
    name = check_name(name)
    row = Stored(name, kind, utcnow(), str(document.get("metadata", {}).get("summary", "")))
    try:
        with database.atomic():
            Measurement.create(**row.as_json(), document_json=json.dumps(document, allow_nan=False))
    except peewee.IntegrityError:
        raise Conflict(f"a measurement named {name!r} exists; remove it first or choose another name") from None
    return row


def list_measurements() -> list[Stored]:
    """Every measurement, by name."""
    query = Measurement.select(Measurement.name, Measurement.kind, Measurement.created_at, Measurement.summary)
    return [Stored(m.name, m.kind, m.created_at, m.summary) for m in query.order_by(Measurement.name)]


def _row(name: str) -> Measurement:
    row = Measurement.get_or_none(Measurement.name == name.strip())
    if row is None:
        raise NotFound(f"no measurement {name.strip()!r} (hornq measurement list shows them)")
    return row


def get(name: str) -> tuple[Stored, dict[str, Any]]:
    """A measurement and its document; an unknown name is refused like an unknown job id."""
    row = _row(name)
    return Stored(row.name, row.kind, row.created_at, row.summary), json.loads(row.document_json)


def remove(name: str) -> str:
    """Delete a measurement; returns the name removed."""
    row = _row(name)
    Measurement.delete().where(Measurement.name == row.name).execute()
    return row.name
