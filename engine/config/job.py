"""Reading a job config file and handing it to the validator of its ``kind``.

Top-level keys common to every kind (``kind``, ``label``, ``executor``) are checked here; the rest
belongs to the kind's validator. Everything is checked before anything is written.
"""

from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import ConfigError
from engine.solvers import Validated, plugin_modules

if TYPE_CHECKING:  # tomllib and difflib load only when a file is read or a suggestion made: `hornq run` needs neither
    import tomllib

COMMON_KEYS = ("kind", "label", "executor")
LABEL_MAX = 200


@dataclass(frozen=True)
class JobSpec:
    """A validated job, ready to queue."""

    kind: str
    validated: Validated
    label: str | None
    executor: str | None  # None: the default_executor setting decides when the job is queued
    executor_options: dict[str, Any] = field(default_factory=dict)  # SLURM options of [executor]


def closest(word: str, options: list[str] | tuple[str, ...]) -> str:
    import difflib

    match = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


def check_label(label: Any) -> str | None:
    """Labels are shown in terminals: refuse control characters so none can inject escape sequences."""
    if label is None:
        return None
    if not isinstance(label, str):
        raise ConfigError("label must be a string")
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in label):
        raise ConfigError("label must not contain control characters or escape sequences")
    if len(label) > LABEL_MAX:
        raise ConfigError(f"label is longer than {LABEL_MAX} characters")
    return label.strip() or None


def kinds() -> list[str]:
    return ["command", *plugin_modules()]


def validate_kind(kind: Any, body: dict[str, Any], base_dir: Path) -> Validated:
    if not isinstance(kind, str) or kind not in kinds():
        shown = kind if isinstance(kind, str) else type(kind).__name__
        raise ConfigError(f"unknown kind {shown!r}{closest(str(kind), kinds())}; known kinds: {', '.join(kinds())}")
    if kind == "command":
        from engine.config import command

        return command.validate(body, base_dir)
    from engine.solvers import load_plugin

    return load_plugin(kind).validate(body, base_dir)


def parse_config(
    raw: dict[str, Any], base_dir: Path, *, label: str | None = None, executor: str | None = None
) -> JobSpec:
    """Validate a config given as a dict (as read from TOML); command-line options override its keys."""
    if "kind" not in raw:
        raise ConfigError(f'missing key "kind" (one of: {", ".join(kinds())})')
    body = {key: value for key, value in raw.items() if key not in COMMON_KEYS}
    validated = validate_kind(raw["kind"], body, base_dir)
    chosen_label = check_label(label if label is not None else raw.get("label"))
    chosen_executor, executor_options = _executor(raw.get("executor"), executor)
    return JobSpec(raw["kind"], validated, chosen_label, chosen_executor, executor_options)


def _executor(section: Any, override: str | None) -> tuple[str | None, dict[str, Any]]:
    """The ``[executor]`` table: ``local`` or ``slurm`` with SLURM's options, checked by the SLURM executor."""
    from engine.config.executor import parse_executor

    return parse_executor(section, override)


def toml_error(exc: tomllib.TOMLDecodeError, text: str) -> str:
    """tomllib says "(at line N, column M)" or "(at end of document)": always name a line."""
    message = str(exc)
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if found:
        line, column = found.groups()
    else:
        line, column = str(max(1, len(text.splitlines()))), "end"
    detail = re.sub(r"\s*\(at [^)]*\)", "", message)
    return f"invalid TOML at line {line}, column {column}: {detail}"


def read_config_file(path: Path) -> dict[str, Any]:
    """A config file as a dict: hornq's TOML, or another tool's design file a solver plugin imports (an ATH config,
    recognised by its content), whose unused keys are noted on stderr. Unreadable files and syntax errors are one
    ConfigError line naming the file."""
    import tomllib

    text, utf8 = read_text(path)
    raw, error = None, "cannot read: the file is not UTF-8 text"
    if utf8:
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            error = toml_error(exc, text)
        if raw is not None and "kind" in raw:
            return raw
    imported = import_foreign(text, path)
    if imported is not None:
        for note in imported.notes:
            _note_once(str(path), note)
        return imported.raw
    if raw is None:
        raise ConfigError(f"{path}: {error}")
    return raw


def read_text(path: Path) -> tuple[str, bool]:
    """A config file's text and whether it is UTF-8. Other bytes are read as Windows-1252: only a foreign design
    file may hold them (ATH configs saved on Windows often do, in their comments)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), False


def import_foreign(text: str, path: Path) -> Any:
    """Another tool's design file as the first solver plugin that recognises it imports it (``import_config``, see
    ``engine.solvers``), or None; its errors name the file."""
    from engine.solvers import entry

    for kind in plugin_modules():
        convert = entry(kind, "import_config")
        if convert is None:
            continue
        try:
            imported = convert(text, path.name)
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None
        if imported is not None:
            return imported
    return None


@functools.cache
def _note_once(path: str, note: str) -> None:
    """A note on stderr, once per process: ``hornq submit`` reads its file twice (for a study, then for the job)."""
    print(f"note: {path}: {note}", file=sys.stderr)


def load_config_file(path: Path, *, label: str | None = None, executor: str | None = None) -> JobSpec:
    raw = read_config_file(path)
    return parse_config(raw, path.resolve().parent, label=label, executor=executor)
