"""The ``[executor]`` table of a job config: where a job runs and, for SLURM, what it asks for.

Everything a config can add to the ``sbatch`` command line is checked here, at submission, so a
config can never smuggle in an option hornq relies on (output, working directory, job name) or
anything outside a known list.
"""

from __future__ import annotations

import re
from typing import Any

from engine.errors import ConfigError

KINDS = ("local", "slurm")
SLURM_KEYS = ("partition", "time_limit", "cpus", "memory", "sbatch_options")
PARTITION_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}(?:,[A-Za-z0-9_.-]{1,64})*$")
# SLURM's time formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S.
TIME_RE = re.compile(r"^(?:\d{1,7}(?::\d{1,2}){0,2}|\d{1,4}-\d{1,2}(?::\d{1,2}){0,2})$")
MEMORY_RE = re.compile(r"^\d{1,9}[KMGT]?$")
VALUE_RE = re.compile(r"^[!-~]{1,256}$")  # printable ASCII, no spaces: it is one argv element anyway
CPUS_MAX = 4096

FLAG, VALUE, EITHER = "flag", "value", "flag or value"
ALLOWED_SBATCH: dict[str, str] = {
    "account": VALUE,
    "qos": VALUE,
    "constraint": VALUE,
    "gres": VALUE,
    "gpus": VALUE,
    "gpus-per-task": VALUE,
    "nodelist": VALUE,
    "exclude": VALUE,
    "reservation": VALUE,
    "mail-type": VALUE,
    "mail-user": VALUE,
    "nice": EITHER,
    "comment": VALUE,
    "licenses": VALUE,
    "hint": VALUE,
    "mem-per-cpu": VALUE,
    "tmp": VALUE,
    "begin": VALUE,
    "wckey": VALUE,
    "exclusive": EITHER,
    "requeue": FLAG,
    "no-requeue": FLAG,
}
OPTION_RE = re.compile(r"^--([a-z][a-z-]*)(?:=(.*))?$", re.DOTALL)


def parse_executor(section: Any, override: str | None) -> tuple[str | None, dict[str, Any]]:
    """(kind, SLURM options) from the ``[executor]`` table and a ``--executor`` override.

    The kind is None when neither names one: the ``default_executor`` setting decides at submission.
    """
    if section is None:
        section = {}
    if not isinstance(section, dict):
        raise ConfigError('executor must be a table, e.g. [executor] kind = "slurm"')
    unknown = [key for key in section if key not in ("kind", *SLURM_KEYS)]
    if unknown:
        raise ConfigError(f"unknown key executor.{unknown[0]}; known: kind, {', '.join(SLURM_KEYS)}")
    kind = override or section.get("kind")
    if kind is not None and kind not in KINDS:
        raise ConfigError(f"executor {kind!r} is not known; use one of: {', '.join(KINDS)}")
    options = {key: section[key] for key in SLURM_KEYS if key in section}
    if options and kind == "local":
        raise ConfigError(f'executor.{next(iter(options))} only applies to kind = "slurm"')
    return kind, check_slurm_options(options)


def _count_as_text(value: Any) -> Any:
    """A bare positive whole number (minutes, megabytes) becomes the text sbatch takes; anything else is kept."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) and value > 0 else value


def check_slurm_options(options: dict[str, Any]) -> dict[str, Any]:
    """Validate each SLURM option; returns them normalised (time limits and memory as strings)."""
    checked: dict[str, Any] = {}
    if "partition" in options:
        checked["partition"] = _matching("partition", options["partition"], PARTITION_RE, 'e.g. "compute"')
    if "time_limit" in options:
        checked["time_limit"] = _matching(
            "time_limit", _count_as_text(options["time_limit"]), TIME_RE, 'minutes, "H:MM:SS" or "D-HH:MM:SS"'
        )
    if "cpus" in options:
        cpus = options["cpus"]
        if isinstance(cpus, bool) or not isinstance(cpus, int) or not 1 <= cpus <= CPUS_MAX:
            raise ConfigError(f"executor.cpus must be a whole number from 1 to {CPUS_MAX} (got {cpus!r})")
        checked["cpus"] = cpus
    if "memory" in options:
        checked["memory"] = _matching("memory", _count_as_text(options["memory"]), MEMORY_RE, 'megabytes or e.g. "4G"')
    if "sbatch_options" in options:
        extra = options["sbatch_options"]
        if not isinstance(extra, list):
            raise ConfigError('executor.sbatch_options must be a list, e.g. ["--account=acoustics"]')
        checked["sbatch_options"] = [check_sbatch_option(item) for item in extra]
    return checked


def check_sbatch_option(item: Any) -> str:
    """One ``--name`` or ``--name=value`` whose name is on the allow-list, in the form it allows."""
    match = OPTION_RE.match(item) if isinstance(item, str) else None
    if match is None:
        raise ConfigError(f"executor.sbatch_options: {item!r} is not of the form --name or --name=value")
    name, value = match.groups()
    form = ALLOWED_SBATCH.get(name)
    if form is None:
        raise ConfigError(
            f"executor.sbatch_options: --{name} is not allowed; allowed: "
            + ", ".join(f"--{option}" for option in ALLOWED_SBATCH)
        )
    if value is None and form == VALUE:
        raise ConfigError(f"executor.sbatch_options: --{name} needs a value (--{name}=...)")
    if value is not None and form == FLAG:
        raise ConfigError(f"executor.sbatch_options: --{name} takes no value")
    if value is not None and not VALUE_RE.match(value):
        raise ConfigError(f"executor.sbatch_options: the value of --{name} must be printable, without spaces")
    return item


def sbatch_arguments(options: dict[str, Any]) -> list[str]:
    """The validated options as sbatch arguments (each one argv element)."""
    argv = []
    if "partition" in options:
        argv.append(f"--partition={options['partition']}")
    if "time_limit" in options:
        argv.append(f"--time={options['time_limit']}")
    if "cpus" in options:
        argv.append(f"--cpus-per-task={options['cpus']}")
    if "memory" in options:
        argv.append(f"--mem={options['memory']}")
    return [*argv, *options.get("sbatch_options", [])]


def _matching(key: str, value: Any, pattern: re.Pattern[str], example: str) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise ConfigError(f"executor.{key}: {value!r} is not valid ({example})")
    return value
