"""Reading single values from a user's config tables, each refusal one ``ConfigError`` line naming the key path.

An explicit null counts as absent everywhere, so a normalised config (which has JSON nulls) re-validates.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from typing import Any

from engine.errors import ConfigError
from engine.solvers.horn.spec import REQUIRED, Param


def get(table: Mapping[str, Any], key: str) -> Any:
    """The value or None: an explicit JSON null counts as absent, so normalised configs re-validate."""
    return table.get(key)


def check_keys(table: Mapping[str, Any], allowed: tuple[str, ...], path: str, is_section: bool = False) -> None:
    """Refuse the first unknown key, suggesting the closest known one (typos are the usual cause)."""
    for key in table:
        if key in allowed:
            continue
        folded = [name for name in allowed if name.lower() == str(key).lower()]
        close = folded or difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
        if is_section:
            hint = f" (did you mean [{close[0]}]?)" if close else f" (known: {', '.join(allowed)})"
            raise ConfigError(f"{key}: unknown section [{key}]{hint}")
        hint = f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(allowed)})"
        raise ConfigError(f"{path}.{key}: unknown key{hint}")


def number(
    section: Mapping[str, Any],
    key: str,
    path: str,
    default: Any,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    unit: str = "",
) -> float:
    """``section[key]`` as a float in the given interval, or ``default`` when absent (``REQUIRED``: refuse)."""
    full = f"{path}.{key}"
    value = section.get(key)
    if value is None:
        if default is REQUIRED:
            raise ConfigError(f"{full}: missing (required)")
        return float(default)
    parsed = as_number(value, full, "a number")
    check_range(parsed, Param(low=low, high=high, low_open=low_open, unit=unit), full, "")
    return parsed


def integer(section: Mapping[str, Any], key: str, path: str, default: int, *, low: int, high: int) -> int:
    """``section[key]`` as an int in ``low..high``; a whole float such as 40.0 counts (JSON round trips)."""
    full = f"{path}.{key}"
    value = section.get(key, default)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{full}: expected an integer, got {type_name(value)}")
    if not low <= value <= high:
        raise ConfigError(f"{full}: {value} is out of range; allowed {low}..{high}")
    return value


def as_number(value: Any, path: str, expected: str) -> float:
    """A finite float; booleans are refused although Python counts them as ints."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{path}: expected {expected}, got {type_name(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise ConfigError(f"{path}: must be finite, got {value}")
    return number


def type_name(value: Any) -> str:
    """How a wrong value reads in a refusal, quoting what the user typed."""
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    return f"{type(value).__name__} ({value!r})"


def check_range(value: float, param: Param, path: str, context: str) -> None:
    """Refuse a value outside the parameter's interval, showing the interval with its open/closed ends."""
    low_ok = value > param.low if param.low_open else value >= param.low
    high_ok = value < param.high if param.high_open else value <= param.high
    if not (low_ok and high_ok):
        left = "(" if param.low_open else "["
        right = ")" if param.high_open else "]"
        interval = f"{left}{param.low:g}, {param.high:g}{right}"
        raise ConfigError(f"{path}: {value:g}{param.unit} is out of range{context}; allowed {interval}{param.unit}")
