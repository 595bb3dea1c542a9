"""An optimisation study: the parameters hornq may choose within ranges, and the metric it optimises.

Where a grid study names every value, an optimisation names ranges and a goal, and the engine chooses the points::

    [study]
    mode = "optimize"
    objective = "bw_h_spread"          # a metric key, or arithmetic over metric keys: "0.7*bw_h_spread + 0.3*z_ripple"
    direction = "minimize"             # default: the better direction of the objective's metrics
    trials = 40
    constraints = ["control_h_hz <= 900"]
    [study.vary]
    a = "30..60"                       # any value in between
    R = "100:160:10"                   # on a step grid (whole numbers when start and step are)
    q = [3, 4]                         # one of these

The command line gives the same (``hornq optimize FILE --vary a=30..60 --objective bw_h_spread --trials 40``) and
overrides the file. Like ``engine.config.sweeps`` this module only parses: it is pure and writes nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.config.objective import check_direction, default_direction, parse_constraint, parse_objective
from engine.config.sweeps import MAX_JOBS, Value, check_name, format_value, parameter_path, parse_number
from engine.errors import ConfigError, UsageError

MODE = "optimize"
KEYS = ("name", "mode", "vary", "objective", "direction", "trials", "constraints", "seed")
#: Continuous values are rounded to this many significant digits of their range: labels stay readable, and the
#: sampler cannot tell designs that close apart anyway.
DIGITS = 4
#: A best value this close to an end of its range (as a share of the range) may be held back by that end.
NEAR_END = 0.02
_SPAN = re.compile(r"^\s*([^.][^:]*?)\s*\.\.\s*(\S[^:]*?)\s*$")
_STEPS = re.compile(r"^\s*([^:]+):([^:]+):([^:]+)\s*$")


@dataclass(frozen=True)
class Dimension:
    """A parameter the optimiser chooses: in ``low..high`` (on ``step``s when given), or among ``choices``."""

    name: str
    path: tuple[str, ...]
    low: float = 0.0
    high: float = 0.0
    step: float | None = None
    choices: tuple[Value, ...] = ()

    @property
    def whole(self) -> bool:
        """A step grid of whole numbers: chosen as integers."""
        return self.step is not None and float(self.low).is_integer() and float(self.step).is_integer()

    def corners(self) -> tuple[Value, ...]:
        """The values a study checks before it starts: the ends of a range, or every choice."""
        if self.choices:
            return self.choices
        return (_plain(self.low), _plain(self.top))

    @property
    def top(self) -> float:
        """The highest value the optimiser may choose (the last step at or below ``high``)."""
        if self.step is None:
            return self.high
        return self.low + math.floor((self.high - self.low) / self.step + 1e-9) * self.step

    def rounded(self, value: Value) -> Value:
        """A chosen value as the job gets it: continuous ones to DIGITS significant digits of the range."""
        if self.choices or isinstance(value, str):
            return value
        if self.step is not None:
            return round(value) if self.whole else _plain(round(float(value), 9))
        digits = max(0, DIGITS - 1 - math.floor(math.log10(self.high - self.low)))
        return _plain(round(float(value), digits))

    def end_of(self, value: Value) -> str | None:
        """Which end of this range a value sits at (within NEAR_END of it), "low" or "high"; None inside it, and for
        choices, which have no beyond."""
        if self.choices or isinstance(value, str):
            return None
        margin = NEAR_END * (self.top - self.low)
        if value <= self.low + margin:
            return "low"
        if value >= self.top - margin:
            return "high"
        return None

    def describe(self) -> str:
        """The range as the user writes it: ``30..60``, ``100:160:10`` or ``3,4``."""
        if self.choices:
            return ",".join(format_value(v) for v in self.choices)
        if self.step is None:
            return f"{format_value(self.low)}..{format_value(self.high)}"
        return f"{format_value(self.low)}:{format_value(self.high)}:{format_value(self.step)}"

    def as_json(self) -> dict[str, Any]:
        where = {"name": self.name, "path": ".".join(self.path)}
        if self.choices:
            return {**where, "values": list(self.choices)}
        return {**where, "low": _plain(self.low), "high": _plain(self.high), "step": self.step}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Dimension:
        path = tuple(str(data["path"]).split("."))
        if "values" in data:
            return cls(data["name"], path, choices=tuple(data["values"]))
        return cls(data["name"], path, data["low"], data["high"], data.get("step"))


@dataclass(frozen=True)
class Goal:
    """What the study optimises and for how long; ``seed`` makes the sampler's choices repeatable as long as points
    end in the same order (one at a time, or the same timings)."""

    objective: str
    direction: str
    trials: int
    constraints: tuple[str, ...] = ()
    seed: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "objective": self.objective,
            "direction": self.direction,
            "trials": self.trials,
            "constraints": list(self.constraints),
            "seed": self.seed,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Goal:
        return cls(data["objective"], data["direction"], data["trials"], tuple(data["constraints"]), data.get("seed"))


@dataclass(frozen=True)
class Search:
    """An optimisation study as configured: its name (None: from the label or file), ranges and goal."""

    name: str | None
    dimensions: tuple[Dimension, ...]
    goal: Goal


@dataclass(frozen=True)
class Options:
    """What the command line adds to or overrides in the config's ``[study]``."""

    vary: Sequence[str] = ()
    objective: str | None = None
    direction: str | None = None
    trials: int | None = None
    constraints: Sequence[str] = ()
    seed: int | None = None
    name: str | None = None


def is_optimize(raw: Mapping[str, Any]) -> bool:
    section = raw.get("study")
    return isinstance(section, dict) and section.get("mode") == MODE


def parse_dimension(name: str, value: Any, kind: str, where: str) -> Dimension:
    """``lo..hi`` (continuous), ``start:stop:step`` (a step grid), or a list (choices)."""
    path = parameter_path(name, kind)
    if isinstance(value, list):
        return _choices(name, path, tuple(value), where)
    if isinstance(value, bool) or not isinstance(value, str):
        raise ConfigError(f'{where}: give a range "30..60", a step grid "100:160:10", or a list of choices')
    if found := _SPAN.match(value):
        low, high = (float(parse_number(part, where)) for part in found.groups())
        if low >= high:
            raise ConfigError(f"{where}: the range {value.strip()!r} must go from low to high")
        return Dimension(name, path, low, high)
    if found := _STEPS.match(value):
        low, high, step = (float(parse_number(part, where)) for part in found.groups())
        if step <= 0:
            raise ConfigError(f"{where}: the step must be positive (got {format_value(step)})")
        if low >= high:
            raise ConfigError(f"{where}: the range {value.strip()!r} must go from low to high")
        return Dimension(name, path, low, high, step)
    items = [item.strip() for item in value.split(",")]
    if not all(items):
        raise ConfigError(f"{where}: give a range like 30..60, a step grid like 100:160:10, or choices like 3,4")
    return _choices(name, path, tuple(_scalar(item) for item in items), where)


def parse_vary_option(text: str, kind: str) -> Dimension:
    """One ``--vary NAME=RANGE`` option of ``hornq optimize``."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise UsageError(f"--vary {text!r}: expected NAME=RANGE, e.g. --vary a=30..60 or --vary R=100:160:10")
    return parse_dimension(name.strip(), value, kind, f"--vary {name.strip()}")


def _choices(name: str, path: tuple[str, ...], values: tuple[Any, ...], where: str) -> Dimension:
    for item in values:
        if isinstance(item, bool) or not isinstance(item, int | float | str):
            raise ConfigError(f"{where}: choices must be numbers or expressions, got {item!r}")
    if len(set(values)) < 2:
        raise ConfigError(f"{where}: give at least two choices, or a range like 30..60 (a fixed value is no search)")
    return Dimension(name, path, choices=values)


def _scalar(item: str) -> Value:
    try:
        number = float(item)
    except ValueError:
        return item
    return _plain(number)


def _plain(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def search(raw: Mapping[str, Any], kind: str, metrics: Any, options: Options = Options()) -> Search:
    """The config's ``[study]`` with the command line's options over it, checked against the kind's metric set
    (``engine.solvers.MetricSet``, or None for a kind without metrics, which cannot be optimised)."""
    section = raw.get("study") or {}
    if not isinstance(section, dict):
        raise ConfigError("study: must be a table ([study] with a [study.vary] table)")
    unknown = [key for key in section if key not in KEYS]
    if unknown:
        raise ConfigError(f"study.{unknown[0]}: unknown key for an optimize study (known: {', '.join(KEYS)})")
    if section.get("mode", MODE) != MODE:
        raise ConfigError(f'study.mode: hornq optimize needs mode = "optimize" (got {section.get("mode")!r})')
    if metrics is None:
        raise ConfigError(f"{kind} jobs have no metrics, so there is nothing to optimise (horn jobs have)")
    dimensions = _dimensions(section, kind, options.vary)
    known = {metric.key: metric.better for metric in metrics.METRICS}
    objective = parse_objective(
        options.objective or section.get("objective"), known, "--objective" if options.objective else "study.objective"
    )
    constraints = [*_constraint_list(section.get("constraints")), *options.constraints]
    for number, text in enumerate(constraints, start=1):
        parse_constraint(text, known, f"constraint {number}")
    direction = options.direction or section.get("direction")
    goal = Goal(
        objective.text,
        check_direction(direction) if direction is not None else default_direction(objective, known),
        _trials(options.trials if options.trials is not None else section.get("trials")),
        tuple(text.strip() for text in constraints),
        _seed(options.seed if options.seed is not None else section.get("seed")),
    )
    return Search(check_name(options.name) or check_name(section.get("name")), dimensions, goal)


def _dimensions(section: dict[str, Any], kind: str, vary: Sequence[str]) -> tuple[Dimension, ...]:
    table = section.get("vary", {})
    if not isinstance(table, dict):
        raise ConfigError("study.vary: must be a table of parameter = range")
    found = [parse_dimension(str(name), value, kind, f"study.vary.{name}") for name, value in table.items()]
    given: dict[tuple[str, ...], str] = {}
    for text in vary:
        dimension = parse_vary_option(text, kind)
        if dimension.path in given:
            raise UsageError(f"--vary {dimension.name}: given twice (also as {given[dimension.path]})")
        given[dimension.path] = dimension.name
        found = [d for d in found if d.path != dimension.path] + [dimension]
    if not found:
        raise ConfigError("study: nothing to optimise (add ranges to [study.vary] or use --vary a=30..60)")
    names = [d.name for d in found]
    if len(set(names)) != len(names):
        raise ConfigError(f"study: two parameters are both named {next(n for n in names if names.count(n) > 1)!r}")
    return tuple(found)


def _constraint_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise ConfigError('study.constraints: give a list like ["control_h_hz <= 900"]')


def _trials(value: Any) -> int:
    if value is None:
        raise ConfigError("study.trials: say how many designs to try (trials = 40, or --trials 40)")
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_JOBS:
        raise ConfigError(f"trials: give a whole number from 1 to {MAX_JOBS} (got {value!r})")
    return value


def _seed(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**32:
        raise ConfigError(f"seed: give a whole number from 0 to {2**32 - 1} (got {value!r})")
    return value
