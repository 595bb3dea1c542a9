"""The CLI in its own process tells the truth: it ends quietly when its reader leaves, refuses with the code
that names the reason, fits the terminal, and says how to fix a machine that cannot run gmsh."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.config.job import parse_config
from engine.errors import READER_GONE
from engine.paths import Home
from engine.store import jobs, lifecycle, sql
from engine.store.lifecycle import Source, Status
from tests.conftest import ROOT, Cli

LONG_LABEL = "a horn with a very long descriptive label that no terminal column can hold " * 2


def queue(count: int, home: Home, label: str = "job") -> list[str]:
    spec = parse_config({"kind": "command", "command": {"argv": ["true"]}}, home.root, label=label)
    return jobs.submit_many([spec] * count)


def start(job_id: str) -> None:
    lifecycle.transition(job_id, Status.RUNNING, source=Source.ENGINE)


def hornq_into_a_pipe(*args: str, read: int) -> tuple[int, str]:
    """Run hornq into a pipe whose reader takes ``read`` bytes and leaves, as ``| head -c`` does; 0 leaves first."""
    reader, writer = os.pipe()
    if read == 0:
        os.close(reader)
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", *args], stdout=writer, stderr=subprocess.PIPE, cwd=ROOT, env=os.environ.copy()
    )
    os.close(writer)
    if read:
        got = b""
        while len(got) < read and (chunk := os.read(reader, read - len(got))):
            got += chunk
        os.close(reader)
    _, stderr = proc.communicate(timeout=60)
    return proc.returncode, stderr.decode()


def test_jobs_json_ends_quietly_when_its_reader_leaves(home: Home) -> None:
    queue(200, home, LONG_LABEL)  # about 100 kB of JSON: more than a pipe holds
    assert hornq_into_a_pipe("jobs", "--json", "--limit", "200", read=100) == (READER_GONE, "")


def test_results_end_quietly_when_their_reader_leaves(home: Home) -> None:
    (job_id,) = queue(1, home)
    start(job_id)
    sql.put_results(job_id, json.dumps({"job_id": job_id, "spl_db": [91.25] * 50_000}))
    lifecycle.transition(job_id, Status.COMPLETE, source=Source.ENGINE, has_results=True)
    assert hornq_into_a_pipe("results", job_id, read=300) == (READER_GONE, "")


def test_config_get_ends_quietly_when_its_reader_is_gone_before_it_writes(home: Home) -> None:
    assert hornq_into_a_pipe("config", "get", read=0) == (READER_GONE, "")


@pytest.mark.parametrize("state", [Status.QUEUED, Status.RUNNING])
def test_results_of_an_unfinished_job_are_refused_for_its_state(home: Home, cli: Cli, state: Status) -> None:
    (job_id,) = queue(1, home)
    if state == Status.RUNNING:
        start(job_id)
    result = cli("results", job_id, check=False)
    assert (result.returncode, result.stdout) == (6, "")
    assert result.stderr == f"hornq: job {job_id[:8]} is {state}: it has results once it completes " + (
        f"(hornq log -f {job_id[:8]})\n"
    )


def test_export_of_a_command_job_is_refused_for_its_kind(home: Home, cli: Cli, tmp_path: Path) -> None:
    (job_id,) = queue(1, home)
    result = cli("export", job_id, "--out", str(tmp_path / "out"), check=False)
    assert result.returncode == 6 and "is a command job" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and not (tmp_path / "out").exists()


def test_a_refused_delete_with_json_reports_in_the_json_only(home: Home, cli: Cli) -> None:
    (job_id,) = queue(1, home)
    result = cli("delete", job_id, "--json", check=False)
    assert (result.returncode, result.stderr) == (6, "")
    assert json.loads(result.stdout) == [
        {"job_id": job_id, "error": f"job {job_id[:8]} is queued; cancel it first (hornq stop {job_id[:8]})"}
    ]


def test_log_without_an_id_follows_the_newest_running_job(home: Home, cli: Cli) -> None:
    older, newer = queue(2, home, "horn A")
    start(older)
    start(newer)
    home.job_log(newer).write_text("meshing\n")
    follow = subprocess.Popen(
        [sys.executable, "-m", "engine", "log", "-f"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=os.environ.copy(),
    )
    assert follow.stdout.readline() == "meshing\n"
    with home.job_log(newer).open("a") as log:
        log.write("solving\n")
    lifecycle.transition(newer, Status.COMPLETE, source=Source.ENGINE)
    out, err = follow.communicate(timeout=60)
    assert (follow.returncode, out) == (0, "solving\n")
    assert err == f"log of {newer[:8]} (horn A), the newest running job; 1 more running\n"


def test_log_without_an_id_when_nothing_runs_says_so_in_one_line(home: Home, cli: Cli) -> None:
    queue(1, home)
    result = cli("log", "-f", check=False)
    assert (result.returncode, result.stdout) == (4, "")
    assert result.stderr == "hornq: no job is running; give a job id (hornq jobs lists them)\n"


def test_jobs_fit_80_columns_with_long_labels_cut_by_an_ellipsis(
    home: Home, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = queue(3, home, LONG_LABEL)
    start(ids[0])
    lifecycle.transition(ids[0], Status.ERROR, source=Source.ENGINE, error_message="exit 1: " + "no such file " * 20)
    monkeypatch.setenv("COLUMNS", "80")
    lines = cli("jobs").stdout.splitlines()
    assert len(lines) == 1 + 3 + 1 and lines[-1] == "1-3 of 3"
    assert max(map(len, lines)) <= 80
    assert re.match(r"ID +STATUS +PROG .*LABEL +MESSAGE$", lines[0])
    assert all("  a horn with a " in line and "…" in line for line in lines[1:4])


def test_a_running_job_shows_its_elapsed_time_and_eta_in_80_columns_and_in_json(
    home: Home, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    (job_id,) = queue(1, home, LONG_LABEL)
    start(job_id)
    jobs.update_job(job_id, started_at=(datetime.now(UTC) - timedelta(seconds=100)).isoformat(), progress=0.5)
    monkeypatch.setenv("COLUMNS", "80")
    header, row, _ = cli("jobs").stdout.splitlines()
    assert re.match(r"ID +STATUS +PROG +ELAPSED +ETA +LABEL +MESSAGE$", header)
    assert re.match(rf"{job_id[:8]}  running   50%  1m4\ds  +1m\d\ds  +a horn with", row) and len(row) <= 80
    (item,) = cli.json("jobs")["items"]
    assert item["elapsed_s"] == pytest.approx(100, abs=30) and item["eta_s"] == pytest.approx(item["elapsed_s"])


def test_config_get_aligns_its_columns(cli: Cli) -> None:
    cli("config", "set", "on_finish", "notify-send 'hornq {label}' {status}")
    lines = cli("config", "get").stdout.splitlines()
    columns = {(len(re.match(r"\S+ +", line).group()), line.index("  # ")) for line in lines}
    assert len(columns) == 1
    assert "notify-send 'hornq {label}' '{status}'" in lines[-1]


def test_a_horn_job_on_a_machine_without_gmsh_libraries_says_what_to_install(
    home: Home, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_libraries = tmp_path / "no-x11"
    no_libraries.mkdir()
    (no_libraries / "gmsh.py").write_text(
        'raise OSError("libGLU.so.1: cannot open shared object file: No such file or directory")\n'
    )
    monkeypatch.setenv("PYTHONPATH", f"{no_libraries}{os.pathsep}{ROOT}")
    config = tmp_path / "horn.toml"
    config.write_text(
        'kind = "horn"\n[horn]\nformula = "R-OSSE"\nR = 40\na = 40\nr0 = 12.7\na0 = 9\nr = 0.25\nm = 0.8\nb = 0.25\n'
        'q = 3\n[sweep]\nf_min = 1000\nf_max = 4000\nn = 3\n[solver]\nmethod = "3d"\nbackend = "numba"\n'
    )
    job_id = cli("submit", "--no-start", str(config)).stdout.strip()
    cli("engine", "--until-idle", timeout=300)
    status = cli.json("status", job_id)
    assert status["status"] == "error"
    assert status["message"] == (
        "MeshError: gmsh cannot load libGLU.so.1, a system library its wheel needs even without a display; "
        "on Debian or Ubuntu: sudo apt-get install libglu1-mesa libgl1 libxrender1 libxcursor1 libxft2 "
        "libxinerama1 libfontconfig1 libgomp1"
    )
