"""User settings stored in the database, so a running engine picks up changes without a restart."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.errors import ConfigError
from engine.store import sql
from engine.store.models import Setting


@dataclass(frozen=True)
class Spec:
    default: Any
    parse: Callable[[str], Any]
    help: str


def _bounded(kind: type, low: float, high: float) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise ValueError(f"expected {'a whole number' if kind is int else 'a number'}") from None
        if (isinstance(value, float) and not math.isfinite(value)) or not low <= value <= high:
            raise ValueError(f"must be between {low:g} and {high:g}")
        return value

    return parse


def _choice(*options: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return text

    return parse


def _absolute_path_or_empty(text: str) -> str:
    if text and not text.startswith("/"):
        raise ValueError("must be an absolute path (or empty for the default)")
    return text


def _argv_template(text: str) -> list[str]:
    from engine.config.on_finish import parse_template

    return parse_template(text)


SPECS: dict[str, Spec] = {
    "max_concurrent_jobs": Spec(1, _bounded(int, 1, 256), "jobs run at once by the engine"),
    "cancel_grace_s": Spec(10.0, _bounded(float, 0, 3600), "seconds a stopped job gets before it is killed"),
    "job_timeout_s": Spec(0.0, _bounded(float, 0, 30 * 86400), "kill a job running longer than this (0: never)"),
    "retention_days": Spec(30, _bounded(int, 1, 36500), "prune finished jobs older than this"),
    "retention_max_jobs": Spec(1000, _bounded(int, 1, 10_000_000), "keep at most this many finished jobs"),
    "worker_memory_mb": Spec(0, _bounded(int, 0, 10_000_000), "heap limit of each solver worker in MB (0: none)"),
    "default_executor": Spec("local", _choice("local", "slurm"), "where jobs run unless their config says"),
    "slurm_job_root": Spec(
        "",
        _absolute_path_or_empty,
        "directory shared with the cluster for SLURM job directories (empty: $HORNQ_HOME/slurm)",
    ),
    "slurm_python": Spec(
        "",
        _absolute_path_or_empty,
        "Python with hornq installed, as the cluster's nodes see it (empty: the engine's own)",
    ),
    "on_finish": Spec([], _argv_template, "program run when a job ends, e.g. notify-send 'hornq {label}' {status}"),
}


def _spec(key: str) -> Spec:
    if key not in SPECS:
        raise ConfigError(f"unknown setting {key!r}; settings are: {', '.join(SPECS)}")
    return SPECS[key]


def get(key: str) -> Any:
    spec = _spec(key)
    stored = sql.setting_json(key)  # every submit asks for default_executor
    return spec.default if stored is None else json.loads(stored)


def get_all() -> dict[str, Any]:
    stored = {row.key: json.loads(row.value_json) for row in Setting.select()}
    return {key: stored.get(key, spec.default) for key, spec in SPECS.items()}


def set_value(key: str, text: str) -> Any:
    """Validate and store a setting given as text (as typed on the command line)."""
    spec = _spec(key)
    try:
        value = spec.parse(text.strip())
    except ValueError as exc:
        raise ConfigError(f"{key}: {exc} (got {text!r})") from None
    Setting.insert(key=key, value_json=json.dumps(value)).on_conflict_replace().execute()
    return value
