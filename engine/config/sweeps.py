"""Expanding one job config into a design study: one config per combination of varied values.

Horn design is a search over a few parameters, so a study names them once (``[study.vary]`` in the config, or
``--vary a=40:60:5`` on the command line) instead of making users write one file per horn. A parameter is a path
into the config (``sweep.f_max``, ``mesh.elements_per_wavelength``); a bare name (``a``, ``R``) means a ``[horn]``
parameter, as ATH users call them. Values are a range ``start:stop:step`` (stop included when the steps land on
it), a comma list ``100,130``, or a TOML list (whose strings may be azimuth expressions).

This module only expands: it is pure and writes nothing. ``engine.store.studies`` validates every expanded config and
queues them all in one transaction, so a study is queued whole or not at all.
"""

from __future__ import annotations

import copy
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from engine.errors import ConfigError, UsageError

#: Above this many jobs a study must be confirmed (``--yes``): a typo in a step can queue days of solves.
CONFIRM_ABOVE = 500
#: Never more than this many jobs in one study, confirmed or not.
MAX_JOBS = 5000
MODES = ("grid", "zip")
STUDY_KEYS = ("name", "mode", "vary")
NAME_MAX = 100

Value = float | int | str
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_RANGE = re.compile(r"^\s*([^:]+):([^:]+):([^:]+)\s*$")


class NeedsConfirmation(UsageError):
    """A study larger than CONFIRM_ABOVE: refused until the user confirms the size."""


class Placed(Protocol):
    """A varied parameter's name and where it lives in the config (a grid's Parameter, an optimiser's Dimension)."""

    @property
    def name(self) -> str: ...

    @property
    def path(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Parameter:
    """One varied parameter: the name the user wrote (shown in labels), where it lives, and its values."""

    name: str
    path: tuple[str, ...]
    values: tuple[Value, ...]

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "path": ".".join(self.path), "values": list(self.values)}


@dataclass(frozen=True)
class Plan:
    """What a study varies and how values combine: ``grid`` (every combination) or ``zip`` (i-th with i-th)."""

    name: str | None
    mode: str
    parameters: tuple[Parameter, ...]

    @property
    def count(self) -> int:
        if not self.parameters:
            return 0
        if self.mode == "zip":
            return len(self.parameters[0].values)
        return math.prod(len(p.values) for p in self.parameters)

    def combinations(self) -> list[dict[str, Value]]:
        """Each job's values by parameter name, in the order the parameters were given (last varies fastest)."""
        names = [p.name for p in self.parameters]
        rows = (
            zip(*(p.values for p in self.parameters), strict=True)
            if self.mode == "zip"
            else itertools.product(*(p.values for p in self.parameters))
        )
        return [dict(zip(names, row, strict=True)) for row in rows]

    def check_size(self, confirmed: bool) -> None:
        """Refuse an empty, oversized or unconfirmed large study before any config is built."""
        if self.mode == "zip":
            lengths = {p.name: len(p.values) for p in self.parameters}
            if len(set(lengths.values())) > 1:
                shown = ", ".join(f"{name} has {n}" for name, n in lengths.items())
                raise ConfigError(
                    f'study: mode "zip" pairs values one to one, so every parameter needs as many values ({shown})'
                )
        count = self.count
        if count > MAX_JOBS:
            raise ConfigError(f"study: {count} combinations is more than the limit of {MAX_JOBS} jobs per study")
        if count > CONFIRM_ABOVE and not confirmed:
            raise NeedsConfirmation(
                f"the study expands to {count} jobs (more than {CONFIRM_ABOVE}); add --yes to queue them all"
            )


def format_value(value: Value) -> str:
    """A value as it reads in a label: 40 not 40.0, and no float noise from range steps."""
    if isinstance(value, str):
        return value
    if float(value).is_integer():
        return str(int(value))
    return format(value, ".10g")


def label_for(values: dict[str, Value]) -> str:
    """``a=40 R=100``: a job's place in its study, used as (the end of) its label."""
    return " ".join(f"{name}={format_value(value)}" for name, value in values.items())


def parameter_path(name: str, kind: str) -> tuple[str, ...]:
    """Where a varied name lives in the config; a bare name lies in the section the kind's plugin names."""
    if not _NAME.match(name):
        raise ConfigError(
            f"study: {name!r} is not a parameter name (use a parameter like a or R, or a path like sweep.f_max)"
        )
    path = tuple(name.split("."))
    if len(path) == 1:
        from engine.solvers import entry

        section = entry(kind, "VARY_SECTION")
        if section is None:
            raise ConfigError(
                f"study: give the section of {name!r}, like section.{name} ({kind} jobs have no section for bare names)"
            )
        return (section, name)
    return path


def parse_number(text: str, where: str) -> float | int:
    """A range's bound or step as written: an int when it is whole, refused when it is not a finite number."""
    try:
        number = float(text)
    except ValueError:
        raise ConfigError(f"{where}: {text.strip()!r} is not a number") from None
    if not math.isfinite(number):
        raise ConfigError(f"{where}: {text.strip()!r} is not a finite number")
    return int(number) if number.is_integer() else number


def range_values(start: float, stop: float, step: float, where: str) -> tuple[Value, ...]:
    """start, start+step, … up to stop (included when it lands on a step, within rounding)."""
    if step <= 0:
        raise ConfigError(f"{where}: the step must be positive (got {format_value(step)})")
    if stop < start:
        raise ConfigError(f"{where}: the range ends below its start ({format_value(stop)} < {format_value(start)})")
    count = math.floor((stop - start) / step + 1e-9) + 1
    if count > MAX_JOBS:
        raise ConfigError(f"{where}: the range gives {count} values (limit {MAX_JOBS})")
    values = (round(start + i * step, 9) for i in range(count))
    return tuple(int(v) if float(v).is_integer() else v for v in values)


def parse_values(text: str, where: str) -> tuple[Value, ...]:
    """``40:60:5`` (a range), ``100,130`` (a list) or one value; non-numbers are kept as expressions."""
    found = _RANGE.match(text)
    if found:
        start, stop, step = (parse_number(part, where) for part in found.groups())
        return range_values(start, stop, step, where)
    if ".." in text:
        raise ConfigError(
            f"{where}: {text.strip()!r} is a range for an optimisation (hornq optimize, or [study] mode = "
            '"optimize"); a grid takes values like 40:60:5 (start:stop:step) or 100,130'
        )
    items = [item.strip() for item in text.split(",")]
    if not text.strip() or not all(items):
        raise ConfigError(f"{where}: give values like 40:60:5 (start:stop:step) or 100,130")
    return tuple(_scalar(item) for item in items)


def _scalar(item: str) -> Value:
    try:
        number = float(item)
    except ValueError:
        return item
    return int(number) if number.is_integer() else number


def _toml_values(value: Any, where: str) -> tuple[Value, ...]:
    if isinstance(value, str):
        return parse_values(value, where)
    if isinstance(value, bool):
        raise ConfigError(f'{where}: expected numbers, a range like "40:60:5" or a list, got a boolean')
    if isinstance(value, int | float):
        return (value,)
    if isinstance(value, list) and value:
        for item in value:
            if isinstance(item, bool) or not isinstance(item, int | float | str):
                raise ConfigError(f"{where}: list items must be numbers or expressions, got {item!r}")
        return tuple(value)
    raise ConfigError(f'{where}: expected a range like "40:60:5", a non-empty list, or a number')


def parse_vary_option(text: str, kind: str) -> Parameter:
    """One ``--vary NAME=VALUES`` option."""
    name, sep, values = text.partition("=")
    if not sep or not name.strip():
        raise UsageError(f"--vary {text!r}: expected NAME=VALUES, e.g. --vary a=40:60:5 or --vary R=100,130")
    name = name.strip()
    return Parameter(name, parameter_path(name, kind), parse_values(values, f"--vary {name}"))


def study_section(raw: dict[str, Any], kind: str) -> Plan | None:
    """The ``[study]`` section of a config as a Plan, or None when the config has none."""
    section = raw.get("study")
    if section is None:
        return None
    if not isinstance(section, dict):
        raise ConfigError("study: must be a table ([study] with a [study.vary] table)")
    if section.get("mode") == "optimize":
        raise UsageError('study: mode "optimize" is started with hornq optimize FILE (hornq submit queues grids)')
    unknown = [key for key in section if key not in STUDY_KEYS]
    if unknown:
        raise ConfigError(f"study.{unknown[0]}: unknown key (known: {', '.join(STUDY_KEYS)})")
    vary = section.get("vary", {})
    if not isinstance(vary, dict):
        raise ConfigError("study.vary: must be a table of parameter = values")
    parameters = tuple(
        Parameter(str(name), parameter_path(str(name), kind), _toml_values(value, f"study.vary.{name}"))
        for name, value in vary.items()
    )
    return Plan(check_name(section.get("name")), _mode(section.get("mode", "grid")), parameters)


def _mode(mode: Any) -> str:
    if mode not in MODES:
        raise ConfigError(
            f'study.mode: expected "grid" (every combination), "zip" (values paired in order) or "optimize", '
            f"got {mode!r}"
        )
    return mode


def check_name(name: Any) -> str | None:
    """Study names are shown in terminals: one line, printable, bounded."""
    if name is None:
        return None
    if not isinstance(name, str):
        raise ConfigError("study.name: must be a string")
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in name):
        raise ConfigError("study.name: must not contain control characters")
    if len(name) > NAME_MAX:
        raise ConfigError(f"study.name: longer than {NAME_MAX} characters")
    return name.strip() or None


def combine(section: Plan | None, options: list[Parameter], name: str | None) -> Plan | None:
    """The config's study with the command line's: ``--vary`` replaces a parameter of the same path, or adds one."""
    if section is None and not options:
        return None
    seen: dict[tuple[str, ...], str] = {}
    for option in options:
        if option.path in seen:
            raise UsageError(f"--vary {option.name}: given twice (also as {seen[option.path]})")
        seen[option.path] = option.name
    base = section or Plan(None, "grid", ())
    replaced = {option.path: option for option in options}
    kept = [replaced.pop(p.path, p) for p in base.parameters]
    parameters = tuple(kept + list(replaced.values()))
    if not parameters:
        raise ConfigError("study: nothing to vary (add parameters to [study.vary] or use --vary)")
    names = [p.name for p in parameters]
    if len(set(names)) != len(names):
        raise ConfigError(f"study: two parameters are both named {_first_duplicate(names)!r}")
    return Plan(check_name(name) or base.name, base.mode, parameters)


def _first_duplicate(names: list[str]) -> str:
    return next(name for i, name in enumerate(names) if name in names[:i])


def apply(raw: dict[str, Any], parameters: Sequence[Placed], values: dict[str, Value]) -> dict[str, Any]:
    """A copy of the config without its ``[study]`` section, with one combination's values set."""
    config = copy.deepcopy({key: value for key, value in raw.items() if key != "study"})
    for parameter in parameters:
        table = config
        for depth, key in enumerate(parameter.path[:-1]):
            table = table.setdefault(key, {})
            if not isinstance(table, dict):
                where = ".".join(parameter.path[: depth + 1])
                raise ConfigError(f"study: cannot vary {parameter.name}: {where} is not a table")
        table[parameter.path[-1]] = values[parameter.name]
    return config
