"""SLURM job ids and the fixed-format output hornq asks SLURM for.

Every query names its output format (``--parsable``, ``--format``, ``-o``, ``-P``), so parsing is
splitting on ``|``, never guessing at columns meant for humans. Ids are checked before they reach
an argv and after they come back from SLURM.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.errors import EngineError

JOB_ID_RE = re.compile(r"^[0-9]{1,12}(?:_[0-9]{1,9})?$")
SQUEUE_FORMAT = "%i|%T|%r|%N"
SACCT_FIELDS = "JobID,State,ExitCode"
_SCONTROL_FIELD = r"(?:^|\s){}=(\S*)"


class BadSlurmOutput(EngineError):
    """SLURM answered something that does not have the format hornq asked for."""


@dataclass(frozen=True)
class Record:
    """What SLURM says about one job."""

    job_id: str
    state: str
    reason: str = ""
    nodes: str = ""
    exit_code: int | None = None
    signal: int | None = None


def check_job_id(text: str) -> str:
    """A SLURM job id: digits, optionally ``_index`` for an array task. Anything else is refused."""
    if not JOB_ID_RE.match(text):
        raise BadSlurmOutput(f"{text[:40]!r} is not a SLURM job id")
    return text


def parse_sbatch(stdout: str) -> str:
    """``sbatch --parsable`` prints ``ID`` or ``ID;CLUSTER``."""
    return check_job_id(stdout.strip().split(";", 1)[0])


def parse_squeue(stdout: str) -> dict[str, Record]:
    """Lines of ``squeue --noheader --format=%i|%T|%r|%N``."""
    records = {}
    for line in stdout.splitlines():
        if not line.strip():
            continue
        fields = line.split("|")
        if len(fields) != 4:
            raise BadSlurmOutput(f"squeue line {line[:80]!r} does not have 4 fields")
        job_id, state, reason, nodes = (field.strip() for field in fields)
        records[check_job_id(job_id)] = Record(job_id, state, _blank_none(reason), _blank_none(nodes))
    return records


def parse_scontrol(stdout: str) -> Record | None:
    """The one line of ``scontrol show job -o ID``: only JobId, JobState, Reason, NodeList and ExitCode."""
    line = stdout.strip()
    if not line:
        return None
    job_id, state = _scontrol_field(line, "JobId"), _scontrol_field(line, "JobState")
    if not job_id or not state:
        raise BadSlurmOutput(f"scontrol output {line[:80]!r} has no JobId or JobState")
    array_task = _scontrol_field(line, "ArrayTaskId")
    array_job = _scontrol_field(line, "ArrayJobId")
    shown_id = f"{array_job}_{array_task}" if array_job and array_task else job_id
    exit_code, signal = parse_exit_code(_scontrol_field(line, "ExitCode"))
    return Record(
        check_job_id(shown_id),
        state,
        _blank_none(_scontrol_field(line, "Reason")),
        _blank_none(_scontrol_field(line, "NodeList")),
        exit_code,
        signal,
    )


def parse_sacct(stdout: str, job_id: str) -> Record | None:
    """Lines of ``sacct -P -n -o JobID,State,ExitCode``: the job's own line, not its steps (``ID.batch``)."""
    for line in stdout.splitlines():
        fields = line.split("|")
        if len(fields) != 3:
            continue
        if fields[0].strip() == job_id:
            exit_code, signal = parse_exit_code(fields[2])
            return Record(job_id, fields[1].strip(), exit_code=exit_code, signal=signal)
    return None


def parse_exit_code(text: str) -> tuple[int | None, int | None]:
    """SLURM's ``EXIT:SIGNAL`` pair, e.g. ``3:0``; (None, None) when absent or malformed."""
    match = re.fullmatch(r"\s*(\d+):(\d+)\s*", text or "")
    if not match:
        return None, None
    return int(match.group(1)), int(match.group(2))


def _scontrol_field(line: str, name: str) -> str:
    match = re.search(_SCONTROL_FIELD.format(name), line)
    return match.group(1) if match else ""


def _blank_none(text: str) -> str:
    """SLURM writes an absent reason or node list as ``None`` or ``(null)``."""
    return "" if text in ("None", "(null)", "n/a") else text
