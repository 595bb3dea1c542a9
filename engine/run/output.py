"""The files a solver run leaves in a directory: ``results.json``, ``artifacts/`` and ``partial.json``.

The worker (local or on the cluster) writes them, each written then renamed; the engine reads them
back when it records the job's end. ``partial.json`` holds the results solved so far, rewritten as each
frequency completes: readers show it while the job runs, and a job that ends without complete results keeps it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.paths import ensure_private_dir, write_atomic

RESULTS_FILE = "results.json"
PARTIAL_FILE = "partial.json"
ARTIFACTS_DIR = "artifacts"


def write_output(directory: Path, results: dict[str, Any], artifacts: dict[str, str]) -> None:
    """Write then rename, so a reader never sees half a file."""
    artifact_dir = ensure_private_dir(directory / ARTIFACTS_DIR)
    for name, content in artifacts.items():
        write_atomic(artifact_dir / Path(name).name, content)
    write_atomic(directory / RESULTS_FILE, json.dumps(results))


def read_output(directory: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The results and artifacts (name → content) a solver wrote; unfinished ``.partial`` files are skipped."""
    results = json.loads((directory / RESULTS_FILE).read_text(encoding="utf-8"))
    artifact_dir = directory / ARTIFACTS_DIR
    artifacts = (
        {}
        if not artifact_dir.is_dir()
        else {
            path.name: path.read_text(encoding="utf-8")
            for path in sorted(artifact_dir.iterdir())
            if path.is_file() and not path.name.endswith(".partial")
        }
    )
    return results, artifacts


def write_partial(directory: Path, results: dict[str, Any]) -> None:
    write_atomic(directory / PARTIAL_FILE, json.dumps(results))


def read_partial(directory: Path) -> dict[str, Any] | None:
    """The results solved so far, or None when no frequency is solved (or the directory is gone)."""
    try:
        return json.loads((directory / PARTIAL_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return None
