"""Hostile values are refused with their limit named, and hostile output never reaches a terminal raw."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from engine.config.job import parse_config
from engine.errors import ConfigError
from engine.store.models import Job
from tests.conftest import ROOT, Cli

EXAMPLE = tomllib.loads((ROOT / "examples" / "rosse-40deg.toml").read_text())


def refused(path: tuple[str, str], value: object) -> str:
    raw = copy.deepcopy(EXAMPLE)
    raw[path[0]][path[1]] = value
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, ROOT / "examples")
    return str(caught.value)


def test_a_huge_frequency_count_is_refused_with_the_limit() -> None:
    assert "1000" in refused(("sweep", "n"), 10**9)


def test_a_3d_mesh_too_large_to_solve_is_refused_with_the_limit() -> None:
    raw = {**copy.deepcopy(EXAMPLE), "solver": {"method": "3d"}}
    raw["mesh"]["throat_size"] = 0.2
    raw["mesh"]["mouth_size"] = 4
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, ROOT / "examples")
    assert "the limit as a quarter model is 60,000" in str(caught.value) and "GB" in str(caught.value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_numbers_are_refused(value: float) -> None:
    assert "horn.R" in refused(("horn", "R"), value)


@pytest.mark.parametrize(
    "text",
    ["__import__('os').system('true')", "p.__class__", "().__class__", "open('x')", "lambda: 1", "9^9^9^9", "a" * 500],
)
def test_expressions_that_try_to_escape_are_refused(text: str) -> None:
    assert "horn.a" in refused(("horn", "a"), text)


def test_escape_sequences_from_a_program_are_stripped_before_they_are_stored(cli: Cli, tmp_path: Path) -> None:
    job_id = cli.submit_command(
        "sh",
        "-c",
        r"printf 'HORNQ_PROGRESS 0.5 \033[2Jcleared\n'; "
        r"printf '\033]0;pwned\007bad \033[31mthing\n' >&2; exit 1",
    )
    cli("engine", "--until-idle")
    job = Job.get_by_id(job_id)
    assert job.error_message == "exit code 1: bad thing"
    assert all(
        "\x1b" not in (text or "") and "\x07" not in (text or "") for text in (job.error_message, job.stage_message)
    )


def test_an_error_quoting_typed_text_stays_one_line_and_shows_control_characters_escaped() -> None:
    message = refused(("horn", "formula"), "R-OSSE\n\x1b[2J")
    assert "\n" not in message and "\x1b" not in message and "\\n\\x1b[2J" in message
