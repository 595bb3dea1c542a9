"""The ``hornq`` command: the app with no command, the engine's CLI with one.

This is the only module that knows about both packages; the engine never imports the TUI.
"""

from __future__ import annotations

import sys

from engine.cli.main import main as cli_main


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    home = None
    if len(args) == 2 and args[0] == "--home":
        home = args[1]
    elif args and not args[0].startswith("--home="):
        return cli_main(args)
    elif args:
        home = args[0].split("=", 1)[1]
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return cli_main(args)  # no terminal to draw on: print the help instead
    from engine.errors import HornqError
    from engine.paths import Home, resolve_home

    try:
        from tui.app import run

        message = run(Home(resolve_home(home)))
    except HornqError as exc:
        print(f"hornq: {exc}", file=sys.stderr)
        return exc.exit_code
    if message:
        print(message)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
