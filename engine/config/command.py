"""The ``command`` job kind's config: any external program, given as an argv list (never a shell line)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from engine.errors import ConfigError
from engine.solvers import Validated

ARGV_MAX = 4096
KEYS = ("command",)
COMMAND_KEYS = ("argv", "cwd", "env")


def validate(body: dict[str, Any], base_dir: Path) -> Validated:
    for key in body:
        if key not in KEYS:
            raise ConfigError(f"unknown key {key!r} for a command job; expected [command] with argv, cwd, env")
    section = body.get("command")
    if not isinstance(section, dict):
        raise ConfigError('a command job needs [command] with argv = ["program", "arg", ...]')
    for key in section:
        if key not in COMMAND_KEYS:
            raise ConfigError(f"unknown key command.{key}; expected one of {', '.join(COMMAND_KEYS)}")
    argv = section.get("argv")
    if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
        raise ConfigError("command.argv must be a non-empty list of strings")
    if len(argv) > ARGV_MAX or any("\0" in a for a in argv):
        raise ConfigError(f"command.argv must have at most {ARGV_MAX} arguments and no NUL characters")
    if not argv[0]:
        raise ConfigError("command.argv[0] (the program) must not be empty")
    cwd = section.get("cwd", str(base_dir))
    if not isinstance(cwd, str) or not cwd:
        raise ConfigError("command.cwd must be a directory path")
    cwd_path = (base_dir / cwd).resolve()
    if not cwd_path.is_dir():
        raise ConfigError(f"command.cwd: {cwd_path} is not a directory")
    env = section.get("env", {})
    if not isinstance(env, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in env.items()):
        raise ConfigError("command.env must be a table of strings")
    if any(not k or "=" in k or "\0" in k or "\0" in v for k, v in env.items()):
        raise ConfigError("command.env names must be non-empty without '=', and no value may contain NUL")
    config = {"command": {"argv": argv, "cwd": str(cwd_path), "env": env}}
    return Validated(config=config, summary={"command": shlex.join(argv)[:200]})
