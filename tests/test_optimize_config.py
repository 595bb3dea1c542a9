"""Optimisation studies as configured: objectives and constraints over metric keys, ranges, and what is refused."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from engine.config.job import read_config_file
from engine.config.objective import default_direction, parse_constraint, parse_objective
from engine.config.optimize import Dimension, Options, parse_dimension
from engine.errors import ConfigError, UsageError
from engine.paths import Home
from engine.store import optimize, studies
from engine.store.models import Job, Study
from tests.conftest import Cli
from tests.horn.test_horn_job import SMALL_HORN

KNOWN = {"bw_h_spread": "lower", "on_axis_dev": "lower", "control_h_hz": "lower", "di_mean": None}
RAW = tomllib.loads(SMALL_HORN.format(label="small"))
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rosse-optimize.toml"


def draft(*vary: str, **options) -> optimize.Draft:
    return optimize.draft(RAW, Path("/"), Options(vary=vary or ("a=30..45",), **options))


def test_a_weighted_sum_of_metrics_is_evaluated_on_a_designs_metrics() -> None:
    objective = parse_objective("0.7*bw_h_spread + 0.3*(on_axis_dev - 1) / 2", KNOWN)
    assert objective.names == ("bw_h_spread", "on_axis_dev")
    assert objective.value({"bw_h_spread": 10.0, "on_axis_dev": 3.0}) == pytest.approx(7.3)


def test_an_objective_without_a_value_for_one_of_its_metrics_has_none() -> None:
    objective = parse_objective("bw_h_spread + on_axis_dev", KNOWN)
    assert objective.value({"bw_h_spread": 10.0, "on_axis_dev": None}) is None
    assert objective.missing({"bw_h_spread": 10.0}) == ["on_axis_dev"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bw_h_sprad", "unknown metric 'bw_h_sprad' (did you mean 'bw_h_spread'?)"),
        ("__import__('os').system('x')", 'has "\'": only metric keys, numbers'),
        ("bw_h_spread ** 2", "'*' where a metric or a number belongs"),
        ("(bw_h_spread + 1", "'(' without its ')'"),
        ("bw_h_spread 2", "unexpected '2'"),
        ("", "give a metric key"),
    ],
)
def test_anything_but_arithmetic_over_metric_keys_is_refused_in_one_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match="objective: ") as refused:
        parse_objective(text, KNOWN)
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_a_constraint_is_violated_by_how_far_a_design_misses_it() -> None:
    below = parse_constraint("control_h_hz <= 900", KNOWN)
    above = parse_constraint("di_mean >= 2 * on_axis_dev", KNOWN)
    assert below.violation({"control_h_hz": 1000.0}) == 100.0
    assert below.violation({"control_h_hz": 800.0}) == -100.0
    assert above.violation({"di_mean": 8.0, "on_axis_dev": 1.0}) == -6.0
    assert below.violation({"control_h_hz": None}) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("control_h_hz = 900", "compares nothing"),
        ("control_h_hz <", "needs something on both sides of <"),
        ("0 < control_h_hz < 900", "more than one comparison"),
    ],
)
def test_a_constraint_that_is_not_one_comparison_is_refused_saying_why(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_constraint(text, KNOWN)


def test_a_value_within_two_percent_of_a_range_end_sits_at_that_end() -> None:
    mouth = Dimension("R", ("horn", "R"), 150.0, 300.0)
    assert [mouth.end_of(value) for value in (150, 152.9, 153.1, 296.9, 297.1, 300)] == [
        "low",
        "low",
        None,
        None,
        "high",
        "high",
    ]
    assert Dimension("R", ("horn", "R"), 100.0, 165.0, step=10.0).end_of(160) == "high"
    assert Dimension("q", ("horn", "q"), choices=(3, 4)).end_of(4) is None


def test_the_direction_defaults_to_what_the_objectives_metrics_call_better() -> None:
    assert default_direction(parse_objective("0.5*bw_h_spread + on_axis_dev", KNOWN), KNOWN) == "minimize"
    with pytest.raises(ConfigError, match="say whether to minimize or maximize 'di_mean'"):
        default_direction(parse_objective("di_mean", KNOWN), KNOWN)


def test_ranges_are_continuous_stepped_or_choices() -> None:
    continuous = parse_dimension("a", "30..60", "horn", "a")
    stepped = parse_dimension("R", "100:160:25", "horn", "R")
    choices = parse_dimension("q", [3, 4], "horn", "q")
    assert (continuous.path, continuous.low, continuous.high, continuous.step) == (("horn", "a"), 30, 60, None)
    assert (stepped.whole, stepped.top, stepped.corners()) == (True, 150, (100, 150))
    assert choices.corners() == (3, 4)
    assert continuous.rounded(41.234567) == 41.23


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("60..30", "must go from low to high"),
        ("40..40", "must go from low to high"),
        ("100:160:0", "step must be positive"),
        ("x..60", "'x' is not a number"),
        ([40], "at least two choices"),
        (40, "give a range"),
    ],
)
def test_bad_ranges_are_refused_with_the_reason(value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_dimension("a", value, "horn", "study.vary.a")


def test_a_config_study_is_read_and_the_command_line_overrides_it() -> None:
    raw = {
        **RAW,
        "study": {
            "mode": "optimize",
            "objective": "bw_h_spread",
            "trials": 40,
            "constraints": ["control_h_hz <= 900"],
            "vary": {"a": "30..45", "R": "40:60:5"},
        },
    }
    found = optimize.draft(raw, Path("/"), Options(vary=["a=32..44"], trials=12, constraints=["on_axis_dev < 2"]))
    assert [d.describe() for d in found.search.dimensions] == ["40:60:5", "32..44"]
    goal = found.search.goal
    assert (goal.objective, goal.direction, goal.trials) == ("bw_h_spread", "minimize", 12)
    assert goal.constraints == ("control_h_hz <= 900", "on_axis_dev < 2")


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"objective": "bw_h_spred", "trials": 5}, ConfigError, "did you mean 'bw_h_spread'"),
        ({"objective": "bw_h_spread", "trials": 0}, ConfigError, "trials: give a whole number from 1"),
        ({"objective": "bw_h_spread"}, ConfigError, "say how many designs to try"),
        ({"objective": "bw_h_spread", "trials": 5, "constraints": ["z <= 1"]}, ConfigError, "constraint 1: unknown"),
        ({"trials": 5}, ConfigError, "give a metric key"),
    ],
)
def test_a_bad_goal_is_refused_before_anything_is_written(options: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        draft(**options)


def test_a_range_end_the_solver_refuses_refuses_the_study_naming_the_point() -> None:
    with pytest.raises(ConfigError, match=r"^study point a=50 R=35: horn.wall_thickness"):
        draft("a=30..50", "R=35..60", objective="bw_h_spread", trials=5)


def test_the_same_parameter_twice_on_the_command_line_is_refused() -> None:
    with pytest.raises(UsageError, match="given twice"):
        draft("a=30..40", "horn.a=31..41", objective="bw_h_spread", trials=5)


def test_hornq_submit_points_an_optimize_config_at_hornq_optimize() -> None:
    raw = {**RAW, "study": {"mode": "optimize", "objective": "bw_h_spread", "trials": 5, "vary": {"a": "30..45"}}}
    with pytest.raises(UsageError, match="started with hornq optimize FILE"):
        studies.draft(raw, Path("/"))


@pytest.fixture
def horn_file(tmp_path: Path) -> Path:
    path = tmp_path / "horn.toml"
    path.write_text(SMALL_HORN.format(label="small"))
    return path


def test_hornq_optimize_says_how_to_follow_the_study_by_an_id_that_works(cli: Cli, horn_file: Path) -> None:
    args = ("--vary", "a=30..45", "--objective", "bw_h_spread", "--trials", "5", "--study-name", "my horn, v2")
    started = cli("optimize", str(horn_file), *args, "--no-start")
    short = started.stdout.strip()[:8]
    assert f"hornq study show {short} follows it, hornq study stop {short} ends it" in started.stderr
    assert cli("study", "show", short).stdout.startswith(f"my horn, v2 ({short}, optimize)")


def test_hornq_optimize_writes_the_study_for_the_engine_and_queues_nothing_itself(
    home: Home, cli: Cli, horn_file: Path
) -> None:
    args = ("--vary", "a=30..45", "--vary", "R=40:60:5", "--objective", "bw_h_spread", "--trials", "12")
    study = cli.json("optimize", str(horn_file), *args, "--no-start")["study"]
    assert (study["name"], study["mode"], study["direction"], study["trials"]) == ("small", "optimize", "minimize", 12)
    assert study["parameters"][1] == {"name": "R", "path": "horn.R", "low": 40, "high": 60, "step": 5}
    assert Job.select().count() == 0
    (listed,) = cli.json("studies")["items"]
    assert listed["optimization"]["proposed"] == 0 and listed["optimization"]["best"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--objective", "bw_h_sprd"), "hornq: --objective: unknown metric 'bw_h_sprd' (did you mean 'bw_h_spread'?)"),
        (("--objective", "bw_h_spread", "--vary", "R=60..40"), "hornq: --vary R: the range '60..40' must go from"),
        (("--objective", "bw_h_spread", "--trials", "0"), "hornq: trials: give a whole number from 1 to 5000"),
    ],
)
def test_hornq_optimize_refuses_bad_input_in_one_line_and_writes_nothing(
    home: Home, cli: Cli, horn_file: Path, args: tuple[str, ...], message: str
) -> None:
    defaults = ("--vary", "a=30..45", "--trials", "5")
    result = cli("optimize", str(horn_file), *defaults, *args, "--no-start", check=False)
    assert result.returncode == 3 and result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert Study.select().count() == 0


def test_the_shipped_optimisation_example_is_accepted_at_every_end_of_its_ranges() -> None:
    plan = optimize.draft(read_config_file(EXAMPLE), EXAMPLE.parent, Options(), default_name=EXAMPLE.stem)
    goal = plan.search.goal
    assert (plan.name, goal.objective, goal.direction) == ("constant beamwidth", "bw_h_spread", "minimize")
    assert goal.trials == 40
    assert [d.describe() for d in plan.search.dimensions] == ["30..50", "150..300", "0.2..2", "0..1"]
