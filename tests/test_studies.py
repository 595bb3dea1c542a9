"""Design studies: expanding a config into a sweep, limits, labels, and acting on a study as one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.config.sweeps import CONFIRM_ABOVE, NeedsConfirmation, Plan, combine, parse_values, parse_vary_option
from engine.errors import ConfigError, NotFound, UsageError
from engine.paths import Home
from engine.store import jobs, studies
from engine.store.lifecycle import Source, Status, transition
from engine.store.models import Job, Study
from tests.conftest import Cli

HORN = """\
kind = "horn"
label = "rosse"
[horn]
formula = "R-OSSE"
R = 60
a = 40
r0 = 12.7
a0 = 9
r = 0.25
m = 0.8
b = 0.25
q = 3
wall_thickness = 2
[sweep]
f_min = 1000
f_max = 4000
n = 3
"""


@pytest.fixture
def horn_file(tmp_path: Path) -> Path:
    path = tmp_path / "horn.toml"
    path.write_text(HORN)
    return path


def draft(path: Path, *vary: str, **options):
    return studies.draft_file(path, vary=list(vary), **options)


def test_a_range_includes_its_stop_when_the_steps_land_on_it() -> None:
    assert parse_values("40:60:5", "a") == (40, 45, 50, 55, 60)
    assert parse_values("40:60:7", "a") == (40, 47, 54)
    assert parse_values("0.1:0.5:0.1", "q") == (0.1, 0.2, 0.3, 0.4, 0.5)  # no float noise


def test_lists_keep_numbers_as_numbers_and_expressions_as_text() -> None:
    assert parse_values("100,130", "R") == (100, 130)
    assert parse_values("12.7, 45 + 10*cos(p)^2", "a") == (12.7, "45 + 10*cos(p)^2")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("60:40:5", "ends below its start"),
        ("40:60:0", "step must be positive"),
        ("40:x:5", "'x' is not a number"),
        ("1,,2", "give values like"),
        ("0:1e9:1", "limit 5000"),
        ("30..60", "is a range for an optimisation"),
    ],
)
def test_bad_value_specs_are_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_values(text, "--vary a")


def test_a_grid_varies_the_last_parameter_fastest_and_labels_each_point() -> None:
    plan = combine(None, [parse_vary_option("a=40:50:5", "horn"), parse_vary_option("R=100,130", "horn")], None)
    assert plan is not None and plan.count == 6
    assert plan.combinations()[:3] == [{"a": 40, "R": 100}, {"a": 40, "R": 130}, {"a": 45, "R": 100}]


def test_bare_names_are_horn_parameters_and_dotted_names_are_paths() -> None:
    assert parse_vary_option("a=40", "horn").path == ("horn", "a")
    assert parse_vary_option("sweep.f_max=4000,8000", "horn").path == ("sweep", "f_max")
    with pytest.raises(ConfigError, match="give the section"):
        parse_vary_option("timeout=1,2", "command")
    with pytest.raises(UsageError, match="NAME=VALUES"):
        parse_vary_option("a40", "horn")


def test_the_same_parameter_twice_on_the_command_line_is_refused() -> None:
    with pytest.raises(UsageError, match="given twice"):
        combine(None, [parse_vary_option("a=40", "horn"), parse_vary_option("horn.a=50", "horn")], None)


def test_more_than_the_confirmation_limit_needs_yes_and_the_hard_limit_holds_even_then() -> None:
    plan = Plan(None, "grid", (parse_vary_option(f"a=1:{CONFIRM_ABOVE + 1}:1", "horn"),))
    with pytest.raises(NeedsConfirmation, match="add --yes"):
        plan.check_size(confirmed=False)
    plan.check_size(confirmed=True)
    huge = Plan(None, "grid", (parse_vary_option("a=1:100:1", "horn"), parse_vary_option("R=1:51:1", "horn")))
    with pytest.raises(ConfigError, match="more than the limit of 5000"):
        huge.check_size(confirmed=True)


def test_zip_pairs_values_in_order_and_needs_equal_lengths(horn_file: Path) -> None:
    horn_file.write_text(HORN + '[study]\nmode = "zip"\n[study.vary]\na = [40, 50]\nR = [60, 80]\n')
    plan = draft(horn_file)
    assert plan is not None and [values for values, _ in plan.points] == [{"a": 40, "R": 60}, {"a": 50, "R": 80}]
    horn_file.write_text(HORN + '[study]\nmode = "zip"\n[study.vary]\na = [40, 50]\nR = [60]\n')
    with pytest.raises(ConfigError, match="as many values"):
        draft(horn_file)


def test_the_study_section_is_expanded_and_vary_options_replace_or_add_parameters(horn_file: Path) -> None:
    horn_file.write_text(HORN + '[study]\nname = "coverage"\n[study.vary]\na = "40:50:5"\n')
    plan = draft(horn_file, "a=60", "R=70,80")
    assert plan is not None and plan.name == "coverage"
    assert [values for values, _ in plan.points] == [{"a": 60, "R": 70}, {"a": 60, "R": 80}]
    spec = plan.points[1][1]
    assert (spec.validated.config["horn"]["a"], spec.validated.config["horn"]["R"]) == (60.0, 80.0)
    assert spec.label == "rosse a=60 R=80"


def test_a_config_without_a_study_is_not_a_study(horn_file: Path) -> None:
    assert draft(horn_file) is None


def test_study_names_default_to_the_label_then_the_file(horn_file: Path) -> None:
    assert draft(horn_file, "a=40,50").name == "rosse"
    horn_file.write_text(HORN.replace('label = "rosse"\n', ""))
    assert draft(horn_file, "a=40,50").name == "horn"
    assert draft(horn_file, "a=40,50", name="wide").name == "wide"


def test_one_invalid_point_refuses_the_whole_study_and_names_the_point(home: Home, cli: Cli, horn_file: Path) -> None:
    result = cli("submit", "--no-start", str(horn_file), "--vary", "a=40,50,90", check=False)
    assert result.returncode == 3 and result.stderr.startswith("hornq: study point a=90: horn.a: 90°")
    assert (Job.select().count(), Study.select().count()) == (0, 0)


def test_a_large_study_is_refused_without_yes(home: Home, cli: Cli, horn_file: Path) -> None:
    result = cli("submit", "--no-start", str(horn_file), "--vary", "a=30:60:0.05", check=False)
    assert result.returncode == 2 and "601 jobs (more than 500); add --yes" in result.stderr
    assert Job.select().count() == 0


def test_submit_with_vary_queues_one_job_per_point_linked_to_one_study(home: Home, cli: Cli, horn_file: Path) -> None:
    out = json.loads(
        cli("submit", "--no-start", str(horn_file), "--vary", "a=40:60:5", "--study-name", "coverage", "--json").stdout
    )
    assert out["study"]["name"] == "coverage"
    assert [job["values"] for job in out["jobs"]] == [{"a": a} for a in (40, 45, 50, 55, 60)]
    queued = list(Job.select().order_by(Job.queue_seq))
    assert {job.study_id for job in queued} == {out["study"]["id"]}
    assert [job.label for job in queued] == [f"rosse a={a}" for a in (40, 45, 50, 55, 60)]
    assert [json.loads(job.config_json)["horn"]["a"] for job in queued] == [40, 45, 50, 55, 60]
    listed = cli.json("studies")["items"]
    assert [(s["name"], s["points"], s["done"], s["counts"]["queued"]) for s in listed] == [("coverage", 5, 0, 5)]
    assert listed[0]["parameters"] == [{"name": "a", "path": "horn.a", "values": [40, 45, 50, 55, 60]}]


def test_stopping_a_study_cancels_its_jobs_and_rerun_requeues_the_failed_points_in_it(
    home: Home, horn_file: Path
) -> None:
    plan = draft(horn_file, "a=40,50,60")
    study, queued = studies.queue(plan)
    other = jobs.submit(plan.points[0][1])
    transition(queued[0].id, Status.RUNNING, source=Source.ENGINE)
    transition(queued[0].id, Status.COMPLETE, source=Source.ENGINE)
    outcomes = studies.stop(study.id)
    assert [o.outcome for o in outcomes] == ["cancelled", "cancelled"]
    assert Job.get_by_id(other.id).status == Status.QUEUED
    summary = studies.summarize(study)
    assert (summary.points, summary.done, summary.counts["cancelled"]) == (3, 3, 2)
    again = studies.rerun(study.id)
    assert [json.loads(job.study_values_json) for job in again] == [{"a": 50}, {"a": 60}]
    assert {job.study_id for job in again} == {study.id}
    summary = studies.summarize(study)
    assert (summary.points, summary.done, summary.counts["queued"]) == (3, 1, 2)
    assert len(studies.rerun(study.id, every=False)) == 0  # nothing failed now


def test_a_rerun_of_one_member_stays_at_its_point(home: Home, horn_file: Path) -> None:
    study, queued = studies.queue(draft(horn_file, "a=40,50"))
    studies.stop(study.id)
    new = jobs.rerun(queued[1].id)
    assert (new.study_id, json.loads(new.study_values_json)) == (study.id, {"a": 50})
    assert [job.id for job in studies.latest(study.id)] == [queued[0].id, new.id]


def test_studies_resolve_by_name_or_id_prefix(home: Home, horn_file: Path) -> None:
    study, _ = studies.queue(draft(horn_file, "a=40,50", name="coverage"))
    assert studies.resolve("coverage").id == study.id
    assert studies.resolve(study.id[:6]).id == study.id
    with pytest.raises(NotFound, match="no study"):
        studies.resolve("nothing")
