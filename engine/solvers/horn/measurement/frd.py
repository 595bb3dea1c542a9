"""Read one FRD text file as REW, VituixCAD, ARTA and hornq write them: ``freq SPL [phase]`` per line.

Lines starting with ``*``, ``#``, ``;`` or ``"`` are comments, blank lines are skipped, and lines of text before
the first row of numbers are a header (``Freq(Hz) SPL(dB) Phase(deg)``). Values are separated by spaces, tabs
or commas; columns after the third (coherence, say) are ignored. Phase is optional but then missing from every
row. The phase is returned as written: FRD files carry the engineering e^(+jωt) phase.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from engine.errors import ConfigError

COMMENT_MARKS = ("*", "#", ";", '"')
SEPARATORS = re.compile(r"[\s,]+")


class MeasurementError(ConfigError):
    """A measurement file or set that cannot be read; the message names the file (and line)."""


@dataclass(frozen=True)
class Response:
    """One measured response: ascending frequencies (Hz), SPL (dB) and the file's phase (degrees) or None."""

    frequencies: tuple[float, ...]
    spl: tuple[float, ...]
    phase: tuple[float, ...] | None


def _numbers(fields: list[str]) -> list[float] | None:
    try:
        return [float(field) for field in fields]
    except ValueError:
        return None


def parse(text: str, name: str) -> Response:
    """The response in ``text``; ``name`` (the file as the user gave it) prefixes every error."""
    freqs: list[float] = []
    spl: list[float] = []
    phase: list[float] = []
    with_phase: bool | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(COMMENT_MARKS):
            continue
        fields = [field for field in SEPARATORS.split(line) if field]
        values = _numbers(fields[:3])
        if values is None or len(values) < 2:
            if not freqs:
                continue  # a header line of text
            raise MeasurementError(f"{name}, line {number}: expected 'freq SPL [phase]', got {line[:60]!r}")
        if not all(math.isfinite(v) for v in values):
            raise MeasurementError(f"{name}, line {number}: values must be finite numbers, got {line[:60]!r}")
        if with_phase is None:
            with_phase = len(values) == 3
        elif with_phase != (len(values) == 3):
            raise MeasurementError(f"{name}, line {number}: some rows have a phase column and others not")
        f = values[0]
        if f <= 0:
            raise MeasurementError(f"{name}, line {number}: frequency {f:g} Hz is not positive")
        if freqs and f <= freqs[-1]:
            raise MeasurementError(f"{name}, line {number}: frequency {f:g} Hz does not follow {freqs[-1]:g} Hz")
        freqs.append(f)
        spl.append(values[1])
        if with_phase:
            phase.append(values[2])
    if len(freqs) < 2:
        raise MeasurementError(f"{name}: fewer than two rows of 'freq SPL [phase]'")
    return Response(tuple(freqs), tuple(spl), tuple(phase) if with_phase else None)


def read(path: Path, name: str) -> Response:
    """``parse`` a file; UTF-8 (with or without a byte-order mark), else Latin-1 as older Windows tools write."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MeasurementError(f"{name}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return parse(text, name)
