"""Property-based fuzzing: configs, expressions and command lines are accepted or refused in one line,
never with a traceback and never with a half-written job."""

from __future__ import annotations

import copy
import io
import math
import os
import tomllib
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.cli.main import main
from engine.config.job import parse_config
from engine.config.toml_out import dumps
from engine.errors import EXIT_CODES, ConfigError
from engine.paths import Home
from engine.solvers.horn.expr import parse_expression
from engine.store.models import Job

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = tomllib.loads((ROOT / "examples" / "rosse-40deg.toml").read_text())
EXAMPLES = int(os.environ.get("HORNQ_FUZZ_EXAMPLES", "1000"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(
        [
            "45 + 10*cos(p)^2",
            "__import__('os')",
            "p.__class__",
            "9^9^9",
            "1/0",
            "sqrt(-1)",
            "1e400",
            "R-OSSE",
            "OS-SE",
            "auto",
            "log",
            "horizontal",
            "../../etc/passwd",
            "\x1b[2J",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def outcome_of(raw: dict, base: Path) -> str:
    """Validation either accepts or refuses with a ConfigError; anything else is a bug."""
    try:
        parse_config(raw, base)
    except ConfigError as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message
        return "refused"
    return "accepted"


@FUZZ
@given(
    section=st.dictionaries(st.sampled_from(["argv", "cwd", "env", "args", "program"]), values, max_size=4),
    extra=st.dictionaries(st.sampled_from(["label", "executor", "kind", "command", "x"]), values, max_size=2),
)
def test_command_configs_are_accepted_or_refused_in_one_line(section: dict, extra: dict) -> None:
    raw = {"kind": "command", "command": section, **extra}
    outcome_of(raw, ROOT)


HORN_KEYS = [
    ["horn", k]
    for k in ("formula", "R", "a", "r0", "a0", "k", "r", "m", "b", "q", "tmax", "wall_thickness", "L", "s", "n", "typo")
]
HORN_KEYS += [["mesh", k] for k in ("size", "throat_size", "mouth_size", "file", "scale", "elements_per_wavelength")]
HORN_KEYS += [["sweep", k] for k in ("f_min", "f_max", "n", "spacing")]
HORN_KEYS += [
    ["observation", k]
    for k in ("distance", "angle_start", "angle_end", "angle_step", "angles", "planes", "normalize_angle")
]
HORN_KEYS += [["drive", "velocity"], ["drive", "acceleration"], ["medium", "c"], ["medium", "rho"], ["bogus"]]


@FUZZ
@given(changes=st.lists(st.tuples(st.sampled_from(HORN_KEYS), values), min_size=1, max_size=3))
def test_horn_configs_are_accepted_or_refused_in_one_line(changes: list) -> None:
    raw = copy.deepcopy(EXAMPLE)
    for path, value in changes:
        table = raw
        for key in path[:-1]:
            if not isinstance(table.get(key), dict):
                table[key] = {}
            table = table[key]
        table[path[-1]] = value
    outcome_of(raw, ROOT / "examples")


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("p0123456789.+-*/^() esincoqrtaxlgbp_[]'\"")), max_size=60))
def test_expressions_parse_and_evaluate_or_are_refused(text: str) -> None:
    try:
        expression = parse_expression(text, "horn.a")
    except ConfigError as exc:
        assert "\n" not in str(exc)
        return
    for p in (0.0, 0.7, math.pi / 2, math.pi):
        try:
            value = expression(p)
        except ConfigError:
            continue
        assert math.isfinite(value)


WORDS = [
    "jobs",
    "status",
    "stop",
    "cancel",
    "delete",
    "label",
    "results",
    "history",
    "prune",
    "config",
    "get",
    "set",
    "example",
    "horn",
    "command",
    "rerun",
    "export",
    "mesh",
    "submit",
    "run",
    "--json",
    "--limit",
    "--offset",
    "--status",
    "--dry-run",
    "--label",
    "--no-start",
    "--format",
    "--out",
    "-o",
    "--",
    "0",
    "-1",
    "201",
    "abc",
    "ffffffff",
    "queued,running",
    "bogus",
    "max_concurrent_jobs",
    "on_finish",
    "x.toml",
    "\x1b[31m",
    "../x",
    "",
]


@FUZZ
@given(argv=st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=6))
def test_command_lines_never_raise_and_refusals_write_nothing(argv: list[str], fuzz_home: Home) -> None:
    if argv and argv[0] in ("run", "submit", "rerun") and "--no-start" not in argv:
        argv = [argv[0], "--no-start", *argv[1:]]
    before = Job.select().count()
    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(argv)
    except SystemExit as exc:  # --help and --version print and exit 0
        code = exc.code
    assert code in EXIT_CODES or code == 0, code
    if code not in (0, None):  # one line per refusal: commands taking several ids report each
        assert err.getvalue().count("\n") <= max(1, len(argv) - 1) and "Traceback" not in err.getvalue()
        if argv[0] in ("run", "submit", "rerun"):
            assert Job.select().count() == before


@pytest.fixture(scope="module")
def fuzz_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Home]:
    """One home for all CLI cases, with no background engine; everything is restored afterwards."""
    from engine.store.db import open_database

    root = tmp_path_factory.mktemp("fuzz")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setenv("HORNQ_HOME", str(root / "home"))
        patch.setenv("HORNQ_NO_AUTOSTART", "1")
        home = Home(root / "home")
        db = open_database(home)
        yield home
        db.close()


def test_a_round_trip_through_toml_keeps_a_valid_config_valid() -> None:
    spec = parse_config(copy.deepcopy(EXAMPLE), ROOT / "examples")
    again = parse_config(tomllib.loads(dumps({"kind": "horn", **spec.validated.config})), Path("/"))
    assert again.validated.config == spec.validated.config
