"""SLURM's fixed-format output, its state names and the [executor] table, on recorded outputs (no cluster)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.config.executor import parse_executor, sbatch_arguments
from engine.config.job import parse_config
from engine.errors import ConfigError
from engine.run.slurm.finish import judge
from engine.run.slurm.jobdir import JobDir
from engine.run.slurm.parse import (
    BadSlurmOutput,
    Record,
    check_job_id,
    parse_sacct,
    parse_sbatch,
    parse_scontrol,
    parse_squeue,
)
from engine.run.slurm.states import Phase, lookup
from engine.store.lifecycle import Status
from engine.store.models import Job
from tests.conftest import Cli

# Recorded from slurm-wlm 22.05 on a single-node cluster.
SCONTROL_FAILED = (
    "JobId=1 JobName=f.sh UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901759 Nice=0 "
    "Account=(null) QOS=(null) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) Requeue=1 Restarts=0 "
    "BatchFlag=1 Reboot=0 ExitCode=3:0 RunTime=00:00:00 TimeLimit=UNLIMITED TimeMin=N/A Partition=debug "
    "NodeList=vm BatchHost=vm NumNodes=1 NumCPUs=1 Command=/tmp/sl/f.sh WorkDir=/tmp/sl StdOut=/tmp/sl/slurm-1.out\n"
)
SQUEUE = "1|FAILED|NonZeroExitCode|vm\n3|PENDING|Resources|\n2|RUNNING|None|vm\n"
SACCT = "2|CANCELLED by 0|0:0\n2.batch|CANCELLED|0:15\n7|OUT_OF_MEMORY|0:125\n"


def test_squeue_lines_become_records_with_blank_reasons_for_none() -> None:
    records = parse_squeue(SQUEUE)
    assert records["3"] == Record("3", "PENDING", "Resources", "")
    assert records["2"] == Record("2", "RUNNING", "", "vm")
    assert set(records) == {"1", "2", "3"}


def test_squeue_output_of_another_shape_is_refused_not_guessed() -> None:
    with pytest.raises(BadSlurmOutput):
        parse_squeue("JOBID PARTITION NAME USER ST TIME NODES\n")


def test_scontrol_gives_state_reason_node_and_exit_code() -> None:
    assert parse_scontrol(SCONTROL_FAILED) == Record("1", "FAILED", "NonZeroExitCode", "vm", 3, 0)
    assert parse_scontrol("") is None


def test_sacct_reads_the_jobs_own_line_not_its_steps() -> None:
    assert parse_sacct(SACCT, "2") == Record("2", "CANCELLED by 0", exit_code=0, signal=0)
    assert parse_sacct(SACCT, "7").state == "OUT_OF_MEMORY"
    assert parse_sacct(SACCT, "99") is None


def test_sbatch_parsable_output_may_name_a_cluster() -> None:
    assert parse_sbatch("12345\n") == "12345"
    assert parse_sbatch("12345;cluster-a\n") == "12345"


@pytest.mark.parametrize("text", ["", "12;rm -rf /", "abc", "1_2_3", "-1", "12 13", "1" * 13])
def test_anything_but_digits_with_an_optional_array_index_is_not_a_slurm_id(text: str) -> None:
    with pytest.raises(BadSlurmOutput):
        check_job_id(text)


def test_array_task_ids_are_slurm_ids() -> None:
    assert check_job_id("123_4") == "123_4"


@pytest.mark.parametrize(
    ("spelling", "phase"),
    [
        ("PD", Phase.WAITING),
        ("PENDING", Phase.WAITING),
        ("R", Phase.RUNNING),
        ("RUNNING", Phase.RUNNING),
        ("CG", Phase.RUNNING),
        ("COMPLETING", Phase.RUNNING),
        ("CD", Phase.COMPLETED),
        ("COMPLETED", Phase.COMPLETED),
        ("F", Phase.FAILED),
        ("FAILED", Phase.FAILED),
        ("CA", Phase.CANCELLED),
        ("CANCELLED by 1000", Phase.CANCELLED),
        ("TO", Phase.FAILED),
        ("TIMEOUT", Phase.FAILED),
        ("NF", Phase.FAILED),
        ("NODE_FAIL", Phase.FAILED),
        ("PR", Phase.FAILED),
        ("PREEMPTED", Phase.FAILED),
        ("OOM", Phase.FAILED),
        ("OUT_OF_MEMORY", Phase.FAILED),
    ],
)
def test_every_slurm_state_maps_to_a_phase_in_both_spellings(spelling: str, phase: Phase) -> None:
    state = lookup(spelling)
    assert state is not None and state.phase is phase


def test_a_state_hornq_does_not_know_is_unknown_not_guessed() -> None:
    assert lookup("LAUNCH_FAILED_SOMEDAY") is None
    assert lookup("") is None


@pytest.mark.parametrize(
    ("state", "status", "message"),
    [
        ("TIMEOUT", Status.ERROR, "SLURM job 5 reached its time limit (raise [executor] time_limit) (TIMEOUT)"),
        ("NODE_FAIL", Status.ERROR, "SLURM job 5 lost its node (node failure) (NODE_FAIL)"),
        ("PREEMPTED", Status.ERROR, "SLURM job 5 was preempted by a higher-priority job (PREEMPTED)"),
        ("OUT_OF_MEMORY", Status.ERROR, "SLURM job 5 ran out of memory (raise [executor] memory) (OUT_OF_MEMORY)"),
        ("FAILED", Status.ERROR, "SLURM job 5 failed: killed by SIGKILL (out of memory?)"),
        ("COMPLETED", Status.ERROR, "SLURM job 5 completed but left no results in {dir}"),
    ],
)
def test_final_slurm_states_without_a_worker_outcome_end_the_job_with_a_clear_message(
    tmp_path: Path, state: str, status: Status, message: str
) -> None:
    record = Record("5", state, exit_code=0, signal=9 if state == "FAILED" else 0)
    ending = judge("5", record, lookup(state), JobDir(tmp_path), cancel_requested=False)
    assert (ending.status, ending.message) == (status, message.format(dir=tmp_path))


def test_a_cancel_requested_in_hornq_wins_over_any_final_slurm_state(tmp_path: Path) -> None:
    ending = judge("5", Record("5", "COMPLETED"), lookup("COMPLETED"), JobDir(tmp_path), cancel_requested=True)
    assert ending.status is Status.CANCELLED and ending.message.startswith("cancelled by user")


def test_the_executor_table_gives_validated_sbatch_arguments_in_a_fixed_order() -> None:
    kind, options = parse_executor(
        {
            "kind": "slurm",
            "partition": "compute",
            "time_limit": "1-02:00:00",
            "cpus": 4,
            "memory": "8G",
            "sbatch_options": ["--exclusive", "--account=acoustics"],
        },
        None,
    )
    assert kind == "slurm"
    assert sbatch_arguments(options) == [
        "--partition=compute",
        "--time=1-02:00:00",
        "--cpus-per-task=4",
        "--mem=8G",
        "--exclusive",
        "--account=acoustics",
    ]


def test_minutes_and_megabytes_may_be_given_as_numbers() -> None:
    _, options = parse_executor({"kind": "slurm", "time_limit": 90, "memory": 4000}, None)
    assert sbatch_arguments(options) == ["--time=90", "--mem=4000"]


@pytest.mark.parametrize(
    ("section", "complaint"),
    [
        ({"kind": "slurm", "sbatch_options": ["--output=/etc/passwd"]}, "--output is not allowed"),
        ({"kind": "slurm", "sbatch_options": ["--wrap=rm -rf ~"]}, "--wrap is not allowed"),
        ({"kind": "slurm", "sbatch_options": ["--account"]}, "--account needs a value"),
        ({"kind": "slurm", "sbatch_options": ["--requeue=yes"]}, "--requeue takes no value"),
        ({"kind": "slurm", "sbatch_options": ["--comment=two words"]}, "printable, without spaces"),
        ({"kind": "slurm", "sbatch_options": "--exclusive"}, "must be a list"),
        ({"kind": "slurm", "partition": "a b"}, "executor.partition"),
        ({"kind": "slurm", "time_limit": "soon"}, "executor.time_limit"),
        ({"kind": "slurm", "cpus": 0}, "executor.cpus"),
        ({"kind": "slurm", "memory": "lots"}, "executor.memory"),
        ({"kind": "local", "partition": "compute"}, 'only applies to kind = "slurm"'),
        ({"kind": "cloud"}, "executor 'cloud' is not known"),
        ({"kind": "slurm", "partiton": "x"}, "unknown key executor.partiton"),
    ],
)
def test_the_executor_table_refuses_what_it_cannot_pass_safely(section: dict, complaint: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_executor(section, None)
    assert complaint in str(caught.value)


def test_the_command_line_executor_overrides_the_config_and_none_means_the_default_setting(tmp_path: Path) -> None:
    raw = {"kind": "command", "command": {"argv": ["true"]}, "executor": {"kind": "local"}}
    assert parse_config(raw, tmp_path, executor="slurm").executor == "slurm"
    assert parse_config({"kind": "command", "command": {"argv": ["true"]}}, tmp_path).executor is None


def test_the_default_executor_setting_decides_where_a_job_without_an_executor_runs(cli: Cli) -> None:
    cli("config", "set", "default_executor", "slurm")
    job_id = cli.submit_command("true")
    job = Job.get_by_id(job_id)
    assert job.executor == "slurm" and '"executor": {"kind": "slurm"}' in job.config_json
