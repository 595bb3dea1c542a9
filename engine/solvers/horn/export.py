"""Write a horn result as files other tools read: FRD polars (ATH/ABEC/VituixCAD habits), tidy CSV, or JSON.

File names: ``hor/<name> <angle>.frd`` and ``ver/<name> <angle>.frd``, where ``<angle>`` is the polar angle of
that plane as in the results, 0…180 and never negative: horizontal angles are measured from the axis (+z)
towards +x, vertical ones towards +y. Mirror images (negative angles) are left to the importing tool.

Phase conventions: FRD files and ``impedance.txt`` are read by measurement-oriented tools that assume the
engineering time factor e^(+jωt), so they carry −arg p and the conjugate impedance (mass loading positive),
and say so in their headers. CSV and JSON keep the results' own e^(−iωt) convention, stated in the metadata.

Everything lands inside ``out_dir``: a name with a path separator, ``..``, an absolute path or a control
character is refused, and every path is resolved (symlinks followed) and must stay under the resolved
``out_dir``. New directories are 0700 and files 0600, since results may be unpublished designs.
"""

from __future__ import annotations

import csv
import io
import json
import os
import unicodedata
from pathlib import Path
from typing import Any, Literal

from engine.errors import UsageError
from engine.solvers.horn.constants import HORIZONTAL, VERTICAL

FRD_DIRS = {HORIZONTAL: "hor", VERTICAL: "ver"}
MAX_NAME_BYTES = 200


class UnsafeExportPath(UsageError, ValueError):
    """An export name or path that would write outside the chosen directory; nothing was written."""


def _check_name(name: str) -> str:
    """Accept a plain file-name stem only, so ``name`` cannot steer writes anywhere else."""
    if not isinstance(name, str) or not name.strip():
        raise UnsafeExportPath("export name must be a non-empty file name")
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise UnsafeExportPath(f"export name {name!r} contains control characters")
    separators = {"/", "\\", os.sep} | ({os.altsep} if os.altsep else set())
    if any(sep in name for sep in separators) or name in {".", ".."} or Path(name).is_absolute():
        raise UnsafeExportPath(f"export name {name!r} must be a plain file name, without path separators or '..'")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise UnsafeExportPath(f"export name is longer than {MAX_NAME_BYTES} bytes")
    return name


def _inside(root: Path, path: Path) -> Path:
    """``path`` resolved with symlinks followed, refused unless it stays under ``root``."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root):
        raise UnsafeExportPath(f"refusing to write {path}: it resolves outside {root}")
    return resolved


def _directory(root: Path, relative: str) -> Path:
    """A directory under ``root``, created 0700 if missing."""
    path = _inside(root, root / relative)
    if not path.exists():
        path.mkdir(mode=0o700)
        path.chmod(0o700)
    elif not path.is_dir():
        raise UnsafeExportPath(f"refusing to write into {path}: it is not a directory")
    return path


def _write(root: Path, path: Path, text: str) -> Path:
    """Write ``text`` to a 0600 file; a symlink appearing at the last moment makes the open fail."""
    target = _inside(root, path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(target, flags, 0o600)
    except OSError as exc:
        raise UnsafeExportPath(f"cannot write {target}: {exc.strerror}") from exc
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return target


def _angle_label(angle: float) -> str:
    """30.0 → '30', 7.5 → '7.5': how ATH names its polar files."""
    return f"{angle + 0.0:g}"


def _frd_text(results: dict[str, Any], plane: str, index: int, angle: float) -> str:
    """One FRD file: `*` header lines, then `freq SPL phase` with phase in the e^(+jωt) convention."""
    meta = results["metadata"]
    distance = results["observation"]["distance_m"]
    towards = "+x" if plane == HORIZONTAL else "+y"
    lines = [
        "* hornq BEM polar response",
        f"* job: {results['job_id']}",
        f"* plane: {plane}, angle: {_angle_label(angle)} deg from the axis (+z) towards {towards}",
        f"* distance: {distance:g} m",
        "* SPL: dB re 20 uPa rms at that distance; phase: degrees, exp(+j omega t) convention (= -arg p)",
        f"* normalisation: none (results normalise to {meta['normalize_angle_deg']:g} deg)",
        "* freq(Hz) SPL(dB) phase(deg)",
    ]
    spl = results["polar"][plane]["spl_db"]
    phase = results["polar"][plane]["phase_deg"]
    for f, row_spl, row_phase in zip(results["frequencies_hz"], spl, phase, strict=True):
        lines.append(f"{f:.4f} {row_spl[index]:.4f} {_engineering_phase(row_phase[index]):.4f}")
    return "\n".join(lines) + "\n"


def _engineering_phase(phase_deg: float) -> float:
    """−φ wrapped to (−180, 180]: the same sinusoid written for e^(+jωt)."""
    flipped = -phase_deg
    return 180.0 if flipped == -180.0 else flipped


def _impedance_text(results: dict[str, Any]) -> str:
    impedance = results["throat_impedance"]
    lines = [
        "* hornq normalised throat impedance z = <p>_source / (rho c v_n)",
        f"* job: {results['job_id']}",
        "* convention: exp(+j omega t), so a mass-like load has a positive imaginary part",
        "* freq(Hz) real imag",
    ]
    for f, re, im in zip(results["frequencies_hz"], impedance["real"], impedance["imag"], strict=True):
        lines.append(f"{f:.4f} {re:.6f} {-im + 0.0:.6f}")
    return "\n".join(lines) + "\n"


def _csv_text(header: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _polar_csv(results: dict[str, Any]) -> str:
    rows = []
    for plane, data in results["polar"].items():
        for i, f in enumerate(results["frequencies_hz"]):
            for j, angle in enumerate(results["observation"]["angles_deg"]):
                rows.append([f, plane, angle, data["spl_db"][i][j], data["phase_deg"][i][j]])
    return _csv_text(["frequency_hz", "plane", "angle_deg", "spl_db", "phase_deg"], rows)


def _summary_csv(results: dict[str, Any]) -> str:
    planes = list(results["beamwidth_6db_deg"])
    header = ["frequency_hz", "on_axis_spl_db", "directivity_index_db"]
    header += [f"beamwidth_6db_{plane}_deg" for plane in planes]
    header += ["throat_impedance_real", "throat_impedance_imag"]
    rows = []
    for i, f in enumerate(results["frequencies_hz"]):
        row = [f, results["on_axis_spl_db"][i], results["directivity_index_db"][i]]
        row += [results["beamwidth_6db_deg"][plane][i] for plane in planes]
        row += [results["throat_impedance"]["real"][i], results["throat_impedance"]["imag"][i]]
        rows.append(row)
    return _csv_text(header, rows)


def export_results(results: dict[str, Any], out_dir: Path, fmt: Literal["frd", "csv", "json"], name: str) -> list[Path]:
    """Write ``results`` under ``out_dir`` in one format and return the files written.

    frd: ``hor/<name> <angle>.frd`` / ``ver/<name> <angle>.frd`` per angle of each plane, plus
    ``impedance.txt``. csv: ``<name>_polar.csv`` (frequency, plane, angle, SPL, phase; one row each) and
    ``<name>_summary.csv`` (on-axis SPL, DI, beamwidths, impedance per frequency). json: ``<name>.json``.
    """
    if fmt not in ("frd", "csv", "json"):
        raise ValueError(f"unknown export format {fmt!r}; expected frd, csv or json")
    _check_name(name)
    out_dir = Path(out_dir)
    missing = [d for d in (out_dir, *out_dir.parents) if not d.exists()]
    for directory in reversed(missing):
        directory.mkdir(mode=0o700)
        directory.chmod(0o700)
    root = out_dir.resolve(strict=True)
    if not root.is_dir():
        raise UnsafeExportPath(f"export directory {out_dir} is not a directory")

    if fmt == "json":
        return [_write(root, root / f"{name}.json", json.dumps(results, indent=1, allow_nan=False) + "\n")]
    if fmt == "csv":
        return [
            _write(root, root / f"{name}_polar.csv", _polar_csv(results)),
            _write(root, root / f"{name}_summary.csv", _summary_csv(results)),
        ]
    written = []
    for plane in results["polar"]:
        directory = _directory(root, FRD_DIRS[plane])
        for index, angle in enumerate(results["observation"]["angles_deg"]):
            text = _frd_text(results, plane, index, angle)
            written.append(_write(root, directory / f"{name} {_angle_label(angle)}.frd", text))
    written.append(_write(root, root / "impedance.txt", _impedance_text(results)))
    return written
