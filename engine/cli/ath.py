"""``hornq import-ath``: an ATH config (Ath 4.x with its ABEC settings) as a commented hornq horn config.

``hornq submit`` takes an ATH config as it is; this command writes the hornq config to read, edit and keep.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.cli.common import Commands, note
from engine.errors import ConfigError


def register(commands: Commands) -> None:
    cmd = commands.add("import-ath", "convert an ATH config into a commented hornq horn config (TOML)", cmd_import_ath)
    cmd.add_argument("file", type=Path, help="the ATH config (recognised by its content, whatever its extension)")
    cmd.add_argument("-o", "--output", type=Path, help="write the horn config to this file (default: stdout)")


def cmd_import_ath(args: argparse.Namespace) -> int:
    """The TOML on stdout or in the file; on stderr a note per ATH key hornq does not use, and one more when the
    result does not validate as it stands (it is written all the same, to be edited)."""
    from engine.config.job import import_foreign, parse_config, read_text

    text, _ = read_text(args.file)
    imported = import_foreign(text, args.file)
    if imported is None:
        raise ConfigError(
            f"{args.file}: not an ATH config (no R-OSSE or OSSE block, and no ATH keys such as Throat.Diameter)"
        )
    if args.output is None:
        sys.stdout.write(imported.toml)
        sys.stdout.flush()
    else:
        try:
            args.output.write_text(imported.toml, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{args.output}: cannot write: {exc}") from None
    for line in imported.notes:
        note(f"note: {args.file}: {line}")
    try:
        parse_config(imported.raw, args.file.resolve().parent)
    except ConfigError as exc:
        note(f"note: the imported config does not validate as it stands, edit it before submitting: {exc}")
    return 0
