"""Which files make a measurement, and where each was measured: the plane and angle its name gives.

Names are read as the tools that write and read polar sets name them (case-insensitive; an angle may be negative
or decimal and be followed by ``deg``):

- a plane word before the angle, as VituixCAD reads them: ``name hor 30.frd``, ``name_hor_30.frd``,
  ``name hor-30.frd``, ``name ver -15.frd``, ``name_vertical_15deg.frd``;
- a plane letter joined to the angle at the end of the name: ``name_H30.frd``, ``name V-15.frd``;
- a plane directory, as ATH and hornq's FRD export write them, with the angle the last number of the name:
  ``hor/name 30.frd``, ``ver/name 7.5.frd`` (also ``horizontal/`` and ``vertical/``);
- no plane: ``name 0.frd``, ``name_-30.frd``; the last number, set off by a space or ``_``, is the angle.

A directory contributes its ``.frd`` files and those of its subdirectories (other files, such as hornq's
``impedance.txt``, are not responses); files named one by one may have any extension.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from engine.errors import UsageError
from engine.solvers.horn.constants import HORIZONTAL, VERTICAL
from engine.solvers.horn.measurement.frd import MeasurementError

NUMBER = r"[+-]?\d+(?:\.\d+)?"
PLANE_WORDS = {"hor": HORIZONTAL, "horizontal": HORIZONTAL, "ver": VERTICAL, "vert": VERTICAL, "vertical": VERTICAL}
WORD = re.compile(rf"(?:^|[^a-z])(horizontal|hor|vertical|vert|ver)[ _]*({NUMBER})(?:\s*deg)?(?![\d.])", re.I)
LETTER = re.compile(rf"(?:^|[^a-z])([hv])({NUMBER})(?:\s*deg)?$", re.I)
TRAILING = re.compile(rf"(?:^|[ _])({NUMBER})(?:\s*deg)?$", re.I)
NAMING_HINT = "name polar files like 'name hor 30.frd' and 'name ver -15.frd', or put them in hor/ and ver/"


@dataclass(frozen=True)
class MeasuredFile:
    """A response file, the name it is reported under, and the plane (or None) and angle its name gives."""

    path: Path
    shown: str
    plane: str | None
    angle: float | None


def plane_and_angle(path: Path) -> tuple[str | None, float | None]:
    """What a file's name says about where it was measured, (None, None) for nothing. A plane directory comes
    first, so that a name exported from a label (``hor/wg hor 2 30.frd``) keeps its last number as the angle."""
    stem = path.stem
    directory = PLANE_WORDS.get(path.parent.name.lower())
    trailing = TRAILING.search(stem)
    if directory and trailing:
        return directory, _angle(trailing.group(1))
    words = list(WORD.finditer(stem))
    if words:
        last = words[-1]
        return PLANE_WORDS[last.group(1).lower()], _angle(last.group(2))
    letter = LETTER.search(stem)
    if letter:
        return (HORIZONTAL if letter.group(1).lower() == "h" else VERTICAL), _angle(letter.group(2))
    return directory, _angle(trailing.group(1)) if trailing else None


def _angle(text: str) -> float:
    """Degrees in (−180, 180]: 270 is the same direction as −90, as 0…350° sets name it."""
    angle = float(text) % 360.0
    return angle - 360.0 if angle > 180.0 else angle


def collect(paths: list[Path]) -> list[MeasuredFile]:
    """The files a list of files and directories stands for, each once, in a stable order."""
    found: dict[Path, MeasuredFile] = {}
    for given in paths:
        if given.is_dir():
            inside = sorted((p for p in given.rglob("*") if p.is_file() and p.suffix.lower() == ".frd"), key=_natural)
            if not inside:
                raise MeasurementError(f"{given}: no .frd files in it or its subdirectories")
            for path in inside:
                _add(found, path, path.relative_to(given).as_posix())
        elif given.is_file():
            _add(found, given, str(given))
        else:
            raise UsageError(f"{given}: no such file or directory")
    return list(found.values())


def _natural(path: Path) -> list[str | float]:
    """``wg 5.frd`` before ``wg 10.frd``: numbers in a path compare as numbers."""
    return [float(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.as_posix())]


def _add(found: dict[Path, MeasuredFile], path: Path, shown: str) -> None:
    key = path.resolve()
    if key not in found:
        found[key] = MeasuredFile(path, shown, *plane_and_angle(path))


def polar_angle(file: MeasuredFile) -> float:
    """The angle of a file in a polar set, which must have one."""
    if file.angle is None:
        raise MeasurementError(f"{file.shown}: cannot tell its angle from its name; {NAMING_HINT}")
    return file.angle
