"""``hornq report`` through the real command line: horn jobs stored in a real home, files that open, refusals that
say why in one line with the usual exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from engine.store import jobs, lifecycle, results
from engine.store.db import database
from engine.store.lifecycle import Source, Status
from engine.store.models import Job
from tests.conftest import ROOT, Cli
from tests.horn.test_report import PNG_SIGNATURE, first, horn_config, stored_results

USAGE, NOT_FOUND, CONFLICT = 2, 4, 6


def horn_job(label: str, status: Status = Status.COMPLETE, data: str = "results.json") -> str:
    """A horn job stored as the engine stores one: its config submitted, then its end with complete results, or
    with the partial results of its first 6 frequencies when it was cancelled."""
    from engine.config.job import parse_config

    config = horn_config(a="40 + 8*cos(p)^2")
    job_id = jobs.submit(parse_config(config, Path("/"), label=label)).id
    if status == Status.QUEUED:
        return job_id
    lifecycle.transition(job_id, Status.RUNNING, source=Source.ENGINE)
    with database.atomic():
        if status == Status.COMPLETE:
            stored = results.store(Job.get_by_id(job_id), stored_results(data), {})
            lifecycle.transition(job_id, Status.COMPLETE, source=Source.ENGINE, **stored)
        else:
            results.store_partial(Job.get_by_id(job_id), first(stored_results(data), 6))
            lifecycle.transition(job_id, Status.CANCELLED, source=Source.USER)
    return job_id


def test_a_complete_job_is_drawn_as_a_png(cli: Cli, tmp_path: Path) -> None:
    job_id = horn_job("rosse 40")
    out = tmp_path / "rosse.png"
    done = cli("report", job_id[:6], "-o", str(out))
    assert out.read_bytes().startswith(PNG_SIGNATURE)
    assert done.stderr == f"wrote {out}\n"


def test_several_jobs_share_one_self_contained_html_page(cli: Cli, tmp_path: Path) -> None:
    first_id, second_id = horn_job("rosse 40"), horn_job("wide mouth", data="results_b.json")
    out = tmp_path / "both.html"
    cli("report", first_id, second_id, "-o", str(out))
    page = out.read_text(encoding="utf-8")
    assert f"rosse 40 ({first_id[:8]})" in page and f"wide mouth ({second_id[:8]})" in page
    assert "2 horn jobs compared" in page and "://" not in page


def test_a_job_without_results_is_refused_in_one_line_and_nothing_is_written(cli: Cli, tmp_path: Path) -> None:
    job_id = horn_job("waiting", Status.QUEUED)
    out = tmp_path / "waiting.png"
    refused = cli("report", job_id, "-o", str(out), check=False)
    assert refused.returncode == CONFLICT and refused.stderr.count("\n") == 1 and "queued" in refused.stderr
    assert not out.exists()


def test_partial_results_are_drawn_only_when_asked_for_and_marked_partial(cli: Cli, tmp_path: Path) -> None:
    job_id = horn_job("stopped", Status.CANCELLED)
    out = tmp_path / "stopped.svg"
    refused = cli("report", job_id, "-o", str(out), check=False)
    assert refused.returncode == CONFLICT and f"hornq report {job_id[:8]} --partial" in refused.stderr
    done = cli("report", job_id, "--partial", "-o", str(out))
    assert "PARTIAL: 6 of 24 frequencies solved" in out.read_text(encoding="utf-8")
    assert "partial results" in done.stderr and "6 of 24 frequencies" in done.stderr


def test_an_unknown_id_exits_as_other_commands_do(cli: Cli, tmp_path: Path) -> None:
    refused = cli("report", "deadbeef", "-o", str(tmp_path / "x.png"), check=False)
    assert refused.returncode == NOT_FOUND and refused.stderr.count("\n") == 1


def test_a_command_job_has_no_report(cli: Cli, tmp_path: Path) -> None:
    job_id = cli.submit_command("true")
    refused = cli("report", job_id, "-o", str(tmp_path / "x.png"), check=False)
    assert refused.returncode == CONFLICT and "command job" in refused.stderr


def test_a_file_type_reports_are_not_written_as_is_refused_before_drawing(cli: Cli, tmp_path: Path) -> None:
    job_id = horn_job("rosse 40")
    refused = cli("report", job_id, "-o", str(tmp_path / "rosse.jpg"), check=False)
    assert refused.returncode == USAGE and ".png, .svg, .html" in refused.stderr
    assert not (tmp_path / "rosse.jpg").exists()


def test_the_command_line_starts_without_loading_matplotlib() -> None:
    probe = (
        "import sys\n"
        "from engine.cli.main import main\n"
        "try:\n"
        "    main(['report', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('matplotlib' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip().endswith("False"), result.stderr
