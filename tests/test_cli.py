"""The CLI as scripts see it: exact JSON shapes, one-line errors with distinct exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli.main import main
from engine.errors import EXIT_CODES
from engine.paths import Home
from engine.store import jobs, lifecycle
from engine.store.lifecycle import Source, Status
from engine.store.models import Job, utcnow
from tests.conftest import Cli

JOB_KEYS = {
    "id",
    "status",
    "progress",
    "stage",
    "stage_message",
    "created_at",
    "queued_at",
    "started_at",
    "completed_at",
    "elapsed_s",
    "eta_s",
    "config_summary",
    "has_results",
    "has_mesh_artifact",
    "label",
    "error_message",
}


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def submit(capsys: pytest.CaptureFixture[str], *argv: str, label: str | None = None) -> str:
    extra = ["--label", label] if label else []
    code, out, err = run_cli(capsys, "run", "--no-start", *extra, "--", *argv)
    assert code == 0, err
    return out.strip()


def write(tmp_path: Path, text: str, name: str = "job.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_jobs_json_has_exactly_the_documented_shape(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    job_id = submit(capsys, "echo", "hi", label="first")
    code, out, _ = run_cli(capsys, "jobs", "--json")
    data = json.loads(out)
    assert code == 0
    assert set(data) == {"items", "total", "limit", "offset"}
    assert (data["total"], data["limit"], data["offset"]) == (1, 50, 0)
    item = data["items"][0]
    assert set(item) == JOB_KEYS | {"partial"} and item["partial"] is None
    assert (item["id"], item["status"], item["label"], item["progress"]) == (job_id, "queued", "first", 0.0)
    assert (item["elapsed_s"], item["eta_s"]) == (None, None)
    assert item["created_at"].startswith("20") and "T" in item["created_at"]
    assert item["config_summary"] == {"command": "echo hi"}


def test_jobs_filters_by_status_and_pages(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    ids = [submit(capsys, "true") for _ in range(5)]
    lifecycle.transition(ids[0], Status.CANCELLED, source=Source.USER)
    lifecycle.transition(ids[1], Status.RUNNING, source=Source.ENGINE)
    _, out, _ = run_cli(capsys, "jobs", "--json", "--status", "cancelled,running")
    data = json.loads(out)
    assert data["total"] == 2 and {i["id"] for i in data["items"]} == {ids[0], ids[1]}
    _, out, _ = run_cli(capsys, "jobs", "--json", "--limit", "2", "--offset", "1")
    data = json.loads(out)
    assert data["total"] == 5 and [i["id"] for i in data["items"]] == [ids[3], ids[2]]


@pytest.mark.parametrize("limit", ["0", "201", "-3"])
def test_a_limit_outside_1_to_200_is_a_usage_error(home: Home, capsys: pytest.CaptureFixture[str], limit: str) -> None:
    code, out, err = run_cli(capsys, "jobs", "--json", f"--limit={limit}")
    assert (code, out) == (2, "")
    assert "between 1 and 200" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (("--bogus",), "hornq: unrecognized arguments: --bogus\n"),
        (("status",), "hornq: status: the following arguments are required: id\n"),
    ],
)
def test_a_usage_error_names_hornq_and_the_command_once(
    home: Home, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], line: str
) -> None:
    assert run_cli(capsys, *argv) == (2, "", line)


def test_status_json_has_the_documented_keys(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    job_id = submit(capsys, "true")
    _, out, _ = run_cli(capsys, "status", job_id[:6], "--json")
    assert json.loads(out) == {
        "status": "queued",
        "progress": 0.0,
        "stage": None,
        "stage_message": None,
        "message": None,
        "elapsed_s": None,
        "eta_s": None,
    }


def test_status_of_a_running_job_counts_down_the_time_its_solver_predicted(
    home: Home, capsys: pytest.CaptureFixture[str]
) -> None:
    job_id = submit(capsys, "true")
    lifecycle.transition(job_id, Status.RUNNING, source=Source.ENGINE)
    jobs.update_job(job_id, stage="bem_solve", remaining_s=600.0, remaining_at=utcnow())
    _, out, _ = run_cli(capsys, "status", job_id, "--json")
    status = json.loads(out)
    assert status["elapsed_s"] >= 0 and 590 < status["eta_s"] <= 600
    _, out, _ = run_cli(capsys, "status", job_id)
    assert "[bem_solve]" in out and "elapsed " in out and ("about 9m59s left" in out or "about 10m00s left" in out)
    lifecycle.transition(job_id, Status.COMPLETE, source=Source.ENGINE)
    _, out, _ = run_cli(capsys, "status", job_id)
    assert "bem_solve" not in out and "left" not in out, "an ended job shows neither its last stage nor an ETA"


def test_an_unknown_id_is_refused_with_its_own_code(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "status", "abcdef12")
    assert (code, out) == (4, "") and err.strip() == "hornq: no job abcdef12"


def test_something_that_is_not_an_id_is_a_usage_error(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "status", "../../etc/passwd")
    assert code == 2 and "not a job id" in err


def test_an_ambiguous_prefix_lists_the_candidates(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    ids = [submit(capsys, "true") for _ in range(40)]
    first = {i[0] for i in ids}
    prefix = next(c for c in sorted(first) if sum(i.startswith(c) for i in ids) > 1)
    code, _, err = run_cli(capsys, "status", prefix)
    assert code == 5
    assert all(i[:8] in err for i in ids if i.startswith(prefix))


def test_delete_of_an_active_job_is_refused_and_keeps_it(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    job_id = submit(capsys, "true")
    code, _, err = run_cli(capsys, "delete", job_id)
    assert code == 6 and "cancel it first" in err
    assert Job.get_by_id(job_id).status == "queued"


def test_delete_of_a_finished_job_removes_it(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    job_id = submit(capsys, "true")
    run_cli(capsys, "stop", job_id)
    home.job_log(job_id).write_text("log")
    code, out, _ = run_cli(capsys, "delete", job_id, "--json")
    assert code == 0 and json.loads(out) == {"deleted": True, "job_id": job_id}
    assert Job.get_or_none(Job.id == job_id) is None and not home.job_log(job_id).exists()


def test_stop_cancels_a_queued_job_at_once_with_history(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    job_id = submit(capsys, "true")
    code, out, _ = run_cli(capsys, "stop", job_id, "--json")
    assert code == 0 and json.loads(out) == {"job_id": job_id, "outcome": "cancelled"}
    _, out, _ = run_cli(capsys, "history", job_id, "--json")
    events = json.loads(out)["events"]
    assert [(e["from"], e["to"], e["source"]) for e in events] == [
        (None, "queued", "user"),
        ("queued", "cancelled", "user"),
    ]


def test_stop_of_a_finished_job_is_a_conflict(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    job_id = submit(capsys, "true")
    run_cli(capsys, "stop", job_id)
    code, _, err = run_cli(capsys, "cancel", job_id)
    assert code == 6 and "already cancelled" in err


def test_submit_reports_toml_errors_with_file_and_line(
    home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, 'kind = "command"\n[command]\nargv = ["a",\n')
    code, _, err = run_cli(capsys, "submit", "--no-start", str(path))
    assert code == 3 and str(path) in err and "line" in err and len(err.strip().splitlines()) == 1
    assert Job.select().count() == 0


def test_submit_names_an_unknown_key(home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, 'kind = "command"\n[command]\nargv = ["true"]\nargs = 1\n')
    code, _, err = run_cli(capsys, "submit", "--no-start", str(path))
    assert code == 3 and "command.args" in err and Job.select().count() == 0


def test_submit_refuses_an_unknown_kind_with_a_suggestion(
    home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, 'kind = "hron"\n')
    code, _, err = run_cli(capsys, "submit", "--no-start", str(path))
    assert code == 3 and "unknown kind 'hron'" in err and "did you mean 'horn'" in err


def test_submit_queues_a_command_config_with_paths_relative_to_the_file(
    home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "cases").mkdir()
    path = write(tmp_path, 'kind = "command"\nlabel = "from file"\n[command]\nargv = ["ls"]\ncwd = "cases"\n')
    code, out, _ = run_cli(capsys, "submit", "--no-start", str(path), "--json")
    job = Job.get_by_id(json.loads(out)["id"])
    assert code == 0 and job.label == "from file"
    assert json.loads(job.config_json)["command"]["cwd"] == str(tmp_path / "cases")


def test_labels_with_escape_sequences_are_refused(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    job_id = submit(capsys, "true")
    code, _, err = run_cli(capsys, "label", job_id, "\x1b]0;pwned\x07")
    assert code == 3 and "control characters" in err
    assert Job.get_by_id(job_id).label is None
    assert run_cli(capsys, "label", job_id, "horn A")[0] == 0 and Job.get_by_id(job_id).label == "horn A"


def test_config_set_validates_and_get_reads_back(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "config", "set", "max_concurrent_jobs", "3")[0] == 0
    _, out, _ = run_cli(capsys, "config", "get", "--json")
    assert json.loads(out)["max_concurrent_jobs"] == 3
    code, _, err = run_cli(capsys, "config", "set", "max_concurrent_jobs", "lots")
    assert code == 3 and "whole number" in err
    code, _, err = run_cli(capsys, "config", "set", "max_concurent_jobs", "2")
    assert code == 3 and "unknown setting" in err


def test_help_documents_every_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["delete", "--help"])
    out = capsys.readouterr().out
    assert all(f"  {code}  {text}" in out for code, text in EXIT_CODES.items())


def test_bare_hornq_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert "submit" in capsys.readouterr().out


def test_run_without_a_program_is_a_usage_error(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "run", "--no-start", "--")
    assert code == 2 and "give the program" in err


def test_the_cli_runs_as_its_own_process_without_a_traceback(cli: Cli) -> None:
    result = cli("status", "ffffffff", check=False)
    assert result.returncode == 4 and result.stderr == "hornq: no job ffffffff\n"
