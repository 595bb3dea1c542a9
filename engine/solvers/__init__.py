"""The solver plugin interface: how a job kind that needs a warm worker process plugs into the engine.

A plugin is a module exposing ``KIND`` (the config's ``kind`` value), ``validate`` and ``run``.
``validate`` must stay cheap to import (the CLI calls it before queueing, so no numpy, gmsh or
bempp at module level); ``run`` executes only inside a worker process and may import anything.

Optional entries let generic code (store, CLI, TUI) serve a kind without knowing it; each is looked up
with ``entry(kind, name)``, which answers None for a kind without it. An entry's name must differ from the
plugin's submodules: importing a submodule sets an attribute of that name on the package.

- ``VARY_SECTION``: the config section a bare ``--vary`` name refers to (``a`` → ``horn.a``).
- ``MESH_ARTIFACT``: the artifact name of the mesh a job solved (``hornq mesh``).
- ``metric_set()``: the kind's figures of merit, a ``MetricSet``.
- ``EXPORT_FORMATS`` and ``export_results(results, directory, fmt, name)``: results as files for other tools.
- ``summary_line(summary)``: one line describing a job's config summary, for lists.
- ``solved_with(results)``: one line saying how a finished job was solved (backend, model), or None.
- ``CHARTS``: the kind's results can be drawn by the app's charts (the results document's shape).
- ``estimate_job(config, history)``: what a normalised config will cost before it runs, a JSON document with at
  least ``seconds`` (``warm``, ``cold``: in a warm or a fresh worker), ``peak_memory_bytes``, ``warnings``,
  ``line`` (one line saying it all), ``details`` (more lines, one per band) and ``note`` (None, or how far to
  trust the figures). ``history``: the kind's finished jobs, newest first, as
  ``{"results": {"frequencies_hz", "metadata"}, "seconds"}``.
- ``cost_model(history)``: the figures ``estimate_job`` fits from ``history``, as JSON, pure Python (the engine
  fits them). A worker gets them as ``ctx.cost_model`` so that a running job can predict its remaining time.
- ``calibration_configs()``: raw configs of small real jobs whose results teach ``estimate_job`` this machine.
- ``read_measurement(paths, distance_m)`` and ``measurement_deviation(results, measured, settings)``: measured files
  as a document shaped like the kind's results (``metadata.summary``, ``metadata.notes``, ``metadata.files``), and
  a result's deviation (dB) from one over the metric settings' band, pure Python.
- ``import_config(text, source)``: another tool's design file (the horn's: an ATH config) as an object with ``raw``
  (the config as if read from TOML), ``notes`` (one line per key it does not use, naming the line) and ``toml`` (the
  same config as commented TOML); None when ``text`` is not such a file, ConfigError naming the line when it is one
  that cannot be read. ``source`` names the file.
- ``REPORT_FORMATS`` and ``write_report(reported, path)``: a picture of one job's results or an overlay of several
  (``reported``: ``{"job_id", "label", "results", "config"}`` each), written in ``path``'s format (its suffix).
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

BUILTIN_PLUGINS = {"horn": "engine.solvers.horn"}
PLUGINS_ENV = "HORNQ_SOLVER_PLUGINS"


class Cancelled(Exception):
    """Raised by a solver when ``ctx.should_stop()`` turned true; the job ends ``cancelled``."""


@dataclass(frozen=True)
class Validated:
    """A config accepted for queueing: the full normalised config and the small summary for lists."""

    config: dict[str, Any]
    summary: dict[str, Any]


@dataclass
class SolverOutput:
    results: dict[str, Any]
    artifacts: dict[str, str] = field(default_factory=dict)


class SolverContext(Protocol):
    """What a running solver sees of its job. ``progress`` may say how many seconds the solver expects to still
    need (``remaining_s``): readers count it down, where without it they could only extrapolate the fraction.
    ``cost_model`` is the kind's ``cost_model`` entry fitted on this machine's finished jobs (None for a kind
    without one). ``partial(results)`` is for solvers that produce results piece
    by piece (the horn: a frequency at a time): the results so far, in the kind's usual shape plus a top-level
    ``"partial"`` that the complete results never have. Readers show them while the job runs, and a job that
    ends cancelled or in error keeps the last ones as partial results (never as its results)."""

    job_id: str
    workdir: Path
    cost_model: dict[str, Any] | None

    def progress(self, fraction: float, stage: str, message: str = "", remaining_s: float | None = None) -> None: ...

    def should_stop(self) -> bool: ...

    def log(self, line: str) -> None: ...

    def partial(self, results: dict[str, Any]) -> None: ...


class SolverPlugin(Protocol):
    KIND: str

    def validate(self, raw: dict[str, Any], base_dir: Path) -> Validated: ...

    def run(self, config: dict[str, Any], ctx: SolverContext) -> SolverOutput: ...


def plugin_modules() -> dict[str, str]:
    """Kind → module path; extra plugins come from $HORNQ_SOLVER_PLUGINS (comma-separated modules)."""
    modules = dict(BUILTIN_PLUGINS)
    for name in filter(None, (m.strip() for m in os.environ.get(PLUGINS_ENV, "").split(","))):
        module = importlib.import_module(name)
        modules[module.KIND] = name
    return modules


def load_plugin(kind: str) -> ModuleType:
    return importlib.import_module(plugin_modules()[kind])


def entry(kind: str, name: str) -> Any:
    """A plugin's optional entry (see the module docstring), or None for a kind without it or without a plugin."""
    module = plugin_modules().get(kind)
    return getattr(importlib.import_module(module), name, None) if module else None


def metric_set(kind: str) -> MetricSet | None:
    """The figures of merit of a kind's results, or None when the kind has none."""
    found = entry(kind, "metric_set")
    return found() if found else None


class Metric(Protocol):
    key: str
    title: str
    unit: str
    better: str | None

    def as_json(self) -> dict[str, Any]: ...


class MetricSet(Protocol):
    """Figures of merit computed from a kind's results: pure Python, cheap enough for the engine's process."""

    VERSION: int  # bumped when a definition changes: stored metrics of an older one are recomputed
    METRICS: tuple[Metric, ...]
    BY_KEY: dict[str, Metric]
    DEFAULTS: Any  # the settings behind the numbers (a frozen dataclass with ``as_json()``)

    def evaluate(self, results: dict[str, Any], config: dict[str, Any], settings: Any) -> dict[str, Any] | None: ...

    def best(self, rows: Any) -> dict[str, list[int]]: ...
