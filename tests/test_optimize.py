"""Optimisation studies in the engine: points proposed as slots free up, each ending told to the sampler, and a study
that survives its engine. The optimiser runs for real (Optuna's TPE, its journal in HORNQ_HOME); the points are real
axisymmetric solves of the small round horn (about a second each), or jobs whose end a test writes."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from engine.config.optimize import Options
from engine.paths import Home
from engine.run.optimizer import Optimizer, journal_path
from engine.store import jobs, optimize, settings, studies
from engine.store.lifecycle import Source, Status, transition
from engine.store.models import Job, JobResult
from engine.store.models import Trial as TrialRow
from tests.conftest import Cli, EngineProcess, module_home, wait_for
from tests.horn.test_horn_job import SMALL_HORN

pytestmark = pytest.mark.solver

VARY = ("a=30..45", "R=40..60")
#: A sweep long enough that an engine killed mid-study is killed mid-solve.
SLOW = ("f_max = 4000\nn = 3", "f_max = 8000\nn = 60")


def start(trials: int, *, sweep: tuple[str, str] = ("", ""), **options) -> str:
    raw = tomllib.loads(SMALL_HORN.format(label="opt").replace(*sweep))
    goal = Options(vary=VARY, objective="bw_h_spread", trials=trials, seed=7, **options)
    return optimize.create(optimize.draft(raw, Path("/"), goal)).id


def trial_rows(study_id: str) -> list[TrialRow]:
    return optimize.trials(study_id)


def in_flight(study_id: str) -> list[str]:
    return [t.job_id for t in trial_rows(study_id) if t.state == optimize.RUNNING]


def solving(study_id: str) -> str | None:
    """The job of a trial that is part way through its solve."""
    running = Job.select().where(Job.id.in_(in_flight(study_id)) & (Job.status == Status.RUNNING) & (Job.progress > 0))
    return next((job.id for job in running), None)


def end_job(job_id: str, status: Status) -> None:
    transition(job_id, Status.RUNNING, source=Source.ENGINE)
    transition(job_id, status, source=Source.ENGINE)


# ---------------------------------------------------------------- the optimiser in this process, jobs ended by hand


def test_the_optimiser_proposes_at_most_max_concurrent_points_and_more_as_they_end(home: Home) -> None:
    study_id = start(6)
    optimizer = Optimizer(home)
    assert optimizer.tick(cap=2, now=0) == 2
    assert optimizer.tick(cap=2, now=10) == 0
    first, _ = in_flight(study_id)
    end_job(first, Status.ERROR)
    assert optimizer.tick(cap=2, now=20) == 1
    assert len(trial_rows(study_id)) == 3 and len(in_flight(study_id)) == 2


def test_a_failed_or_cancelled_point_is_a_failed_trial_and_never_the_best(home: Home) -> None:
    study_id = start(4)
    optimizer = Optimizer(home)
    optimizer.tick(cap=2, now=0)
    failed, cancelled = in_flight(study_id)
    end_job(failed, Status.ERROR)
    jobs.request_stop(cancelled)
    optimizer.tick(cap=2, now=10)
    told = {t.job_id: (t.state, t.objective, t.message) for t in trial_rows(study_id)[:2]}
    assert told == {
        failed: ("failed", None, "its job failed"),
        cancelled: ("failed", None, "its job was cancelled"),
    }
    states = [t.state.name for t in optimizer.sessions[study_id].study.get_trials()[:2]]
    assert states == ["FAIL", "FAIL"] and optimize.progress(study_id)["best"] is None


def test_a_study_ends_once_its_trials_are_all_proposed_and_told(home: Home) -> None:
    study_id = start(3)
    optimizer = Optimizer(home)
    for now in range(5):
        optimizer.tick(cap=2, now=now * 10)
        for job_id in in_flight(study_id):
            end_job(job_id, Status.ERROR)
    progress = optimize.progress(study_id)
    assert (progress["proposed"], progress["told"], progress["ended"]) == (3, 3, optimize.ENDED_TRIALS)
    assert optimize.live() == [] and not optimizer.has_work()


def test_study_stop_cancels_the_points_in_flight_and_proposes_no_more(home: Home, cli: Cli) -> None:
    study_id = start(10)
    optimizer = Optimizer(home)
    optimizer.tick(cap=3, now=0)
    cli("study", "stop", study_id)
    optimizer.tick(cap=3, now=10)
    progress = optimize.progress(study_id)
    assert (progress["proposed"], progress["failed"], progress["ended"]) == (3, 3, optimize.ENDED_STOPPED)
    assert optimize.live() == [] and Job.select().where(Job.status == Status.QUEUED).count() == 0


def test_an_optimisation_reruns_nothing(home: Home, cli: Cli) -> None:
    study_id = start(2)
    result = cli("study", "rerun", study_id, check=False)
    assert result.returncode == 6 and "proposes its own points" in result.stderr


def test_a_seeded_study_proposes_the_same_points_again_when_they_run_one_at_a_time(home: Home) -> None:
    first, second = start(5), start(5)
    optimizer = Optimizer(home)
    for now in range(6):
        optimizer.tick(cap=1, now=now * 10)
        for job_id in in_flight(first) + in_flight(second):
            end_job(job_id, Status.ERROR)
    proposed = [[json.loads(t.values_json) for t in trial_rows(study_id)] for study_id in (first, second)]
    assert len(proposed[0]) == 5 and proposed[0] == proposed[1]


def test_a_new_engine_does_not_propose_the_points_its_seeded_sampler_drew_before(home: Home) -> None:
    study_id = start(12)
    for engine, ticks in ((Optimizer(home), range(3)), (Optimizer(home), range(3, 6))):
        for now in ticks:
            engine.tick(cap=1, now=now * 10)
            for job_id in in_flight(study_id):
                end_job(job_id, Status.ERROR)
    proposed = [t.values_json for t in trial_rows(study_id)]
    assert len(proposed) == 6 and len(set(proposed)) == 6


def test_a_point_asked_for_but_never_queued_fails_in_the_sampler_without_counting(home: Home) -> None:
    study_id = start(4)
    optimizer = Optimizer(home)
    optimizer.tick(cap=1, now=0)
    optimizer.sessions[study_id].ask()  # the engine died before queueing this one
    restarted = Optimizer(home)
    end_job(in_flight(study_id)[0], Status.ERROR)
    restarted.tick(cap=1, now=0)
    sampler = [t.state.name for t in restarted.sessions[study_id].study.get_trials()]
    assert sampler == ["FAIL", "FAIL", "RUNNING"]
    assert [t.number for t in trial_rows(study_id)] == [0, 2]
    assert journal_path(home, study_id).stat().st_mode & 0o777 == 0o600


def test_a_point_the_solver_refuses_is_a_failed_trial_without_a_job(home: Home) -> None:
    study_id = start(4)
    optimizer = Optimizer(home)
    optimizer.tick(cap=1, now=0)
    asked, _ = optimizer.sessions[study_id].ask()  # a point outside what the solver accepts
    refused = optimize.propose(optimize.live()[0], asked, {"a": 90, "R": 50})
    assert (refused.state, refused.job_id, refused.message.startswith("horn.a")) == ("failed", None, True)
    restarted = Optimizer(home)
    restarted.tick(cap=1, now=0)
    assert restarted.sessions[study_id].study.get_trials()[asked].state.name == "FAIL"


def test_an_optimisation_whose_best_job_was_deleted_still_shows_its_best_design(home: Home, cli: Cli) -> None:
    study_id = start(4)
    Optimizer(home).tick(cap=1, now=0)
    (trial,) = trial_rows(study_id)
    end_job(trial.job_id, Status.COMPLETE)
    optimize.record_told(study_id, trial.number, 12.5, None, None)
    cli("delete", trial.job_id)
    shown = cli("study", "show", study_id).stdout
    assert "best 12.5" in shown and "best: trial 1, its job was deleted" in shown


def test_a_best_design_at_the_end_of_a_range_is_pointed_out(home: Home, cli: Cli) -> None:
    study_id = start(4)
    trial = optimize.propose(optimize.live()[0], 0, {"a": 45, "R": 50})
    end_job(trial.job_id, Status.COMPLETE)
    optimize.record_told(study_id, 0, 12.5, None, None)
    assert optimize.progress(study_id)["best_at_range_end"] == {"a": "high"}
    assert "best 12.5 (a=45 R=50) at a's high end" in cli("studies").stdout
    assert "the best design sits at a's high end: a better one may lie beyond" in cli("study", "show", study_id).stdout


# ---------------------------------------------------------------- a real engine solving every point


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Cli, str]:
    """Five trials of the small horn, two at a time, through a real engine until it has nothing left to do."""
    with module_home(tmp_path_factory.mktemp("optimize")) as cli:
        settings.set_value("max_concurrent_jobs", "2")
        study_id = start(5, constraints=["control_h_hz <= 20000"])
        cli("engine", "--until-idle", timeout=300)
        yield cli, study_id


def test_an_engine_runs_the_study_to_its_trials_and_scores_each_from_its_metrics(finished: tuple[Cli, str]) -> None:
    cli, study_id = finished
    found = cli.json("study", "show", study_id)
    progress = found["optimization"]
    assert (progress["told"], progress["failed"], progress["ended"]) == (5, 0, "ran its trials")
    assert [job["status"] for job in found["jobs"]] == ["complete"] * 5
    for trial in progress["history"]:
        metrics = cli.json("metrics", trial["job_id"])["values"]
        assert trial["objective"] == metrics["bw_h_spread"]
        assert trial["feasible"] is (metrics["control_h_hz"] is not None)


def test_the_engine_never_had_more_points_in_flight_than_max_concurrent(finished: tuple[Cli, str]) -> None:
    _, study_id = finished
    spans = [(job.queued_at, job.completed_at) for job in studies.latest(study_id)]
    for queued, _ in spans:
        assert sum(1 for start_, end in spans if start_ <= queued < end) <= 2


def test_hornq_studies_json_gives_the_best_job_its_values_and_objective(finished: tuple[Cli, str]) -> None:
    cli, study_id = finished
    (item,) = [s for s in cli.json("studies")["items"] if s["id"] == study_id]
    best, history = item["optimization"]["best"], cli.json("study", "show", study_id)["optimization"]["history"]
    feasible = [t for t in history if t["feasible"]]
    assert best["objective"] == min(t["objective"] for t in feasible)
    job = Job.get_by_id(best["job_id"])
    assert json.loads(job.study_values_json) == best["values"] and JobResult.get_or_none(JobResult.job == job.id)
    assert "history" not in item["optimization"]


def test_a_study_survives_an_engine_killed_mid_solve_without_losing_or_repeating_trials(
    home: Home, engine_process: EngineProcess
) -> None:
    study_id = start(4, sweep=SLOW)
    engine_process.start()
    wait_for(lambda: any(t.state == optimize.COMPLETE for t in trial_rows(study_id)), timeout=120)
    killed = wait_for(lambda: solving(study_id), timeout=60)
    engine_process.kill9()
    engine_process.start("--until-idle")
    wait_for(lambda: engine_process.proc.poll() is not None, timeout=180)
    rows = trial_rows(study_id)
    assert len(rows) == 4 and len({t.job_id for t in rows}) == 4
    assert [t.state for t in rows if t.job_id == killed] == ["failed"]
    assert Job.select().where(Job.study_id == study_id).count() == 4
    assert all(t.state in (optimize.COMPLETE, optimize.FAILED) for t in rows)
    assert optimize.progress(study_id)["ended"] == optimize.ENDED_TRIALS
