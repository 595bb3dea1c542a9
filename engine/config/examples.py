"""Commented example job configs, printed by ``hornq config example KIND``."""

from __future__ import annotations

from engine.errors import UsageError

COMMAND_EXAMPLE = """\
# A command job: any program, run as an argument list (never through a shell).
kind = "command"
label = "mesh convergence, case 1"   # optional: shown in lists

[command]
argv = ["python3", "solve.py", "--case", "1"]
cwd = "."                  # relative to this file; default: this file's directory
env = { OMP_NUM_THREADS = "1" }

# The program may report progress by printing lines like:
#   HORNQ_PROGRESS 0.25 meshing done
"""


def example(kind: str) -> str:
    if kind == "command":
        return COMMAND_EXAMPLE
    from engine.config.job import closest, kinds
    from engine.solvers import load_plugin

    if kind not in kinds():
        raise UsageError(f"no example for kind {kind!r}{closest(kind, kinds())}; kinds: {', '.join(kinds())}")
    text = getattr(load_plugin(kind), "EXAMPLE_TOML", None)
    if text is None:
        raise UsageError(f"the {kind} solver has no example config")
    return text
