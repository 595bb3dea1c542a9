"""The SLURM client programs, run as argv lists in asyncio subprocesses so the engine loop never blocks.

A controller that does not answer is a passing problem (``SlurmUnavailable``: try again later); a
submission SLURM refuses is the job's problem (``SlurmRefused``: the job fails with SLURM's words).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from engine.errors import EngineError
from engine.run.slurm.parse import (
    SACCT_FIELDS,
    SQUEUE_FORMAT,
    Record,
    check_job_id,
    parse_sacct,
    parse_sbatch,
    parse_scontrol,
    parse_squeue,
)
from engine.text import printable

COMMAND_TIMEOUT_S = 30.0
UNKNOWN_ID = "Invalid job id specified"
REFUSED = "Batch job submission failed"


class SlurmUnavailable(EngineError):
    """SLURM could not be asked right now (controller down, command timed out, not installed)."""


class SlurmRefused(EngineError):
    """sbatch refused the job (bad partition, too many CPUs…): retrying would not help."""


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout: str
    stderr: str

    def problem(self, program: str) -> str:
        """The command's complaint on one line, naming the program once (SLURM's tools mostly name themselves)."""
        lines = [line.strip() for line in (self.stderr or self.stdout).splitlines() if line.strip()]
        text = "; ".join(lines) or f"exit code {self.returncode}"
        return printable(text if text.startswith(f"{program}:") else f"{program}: {text}", 500)


async def run(argv: list[str]) -> Completed:
    """Run one SLURM command with a time limit; its output is text in a fixed format."""
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
    except FileNotFoundError:
        raise SlurmUnavailable(f"{argv[0]} not found: is the SLURM client installed on this machine?") from None
    try:
        stdout, stderr = await asyncio.wait_for(proc.communicate(), COMMAND_TIMEOUT_S)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise SlurmUnavailable(f"{argv[0]} did not answer within {COMMAND_TIMEOUT_S:g} s") from None
    return Completed(proc.returncode or 0, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"))


async def submit(script: Path, options: list[str]) -> str:
    """``sbatch --parsable OPTIONS SCRIPT`` → the new SLURM job id."""
    done = await run(["sbatch", "--parsable", *options, str(script)])
    if done.returncode != 0:
        error = SlurmRefused if REFUSED in done.stderr else SlurmUnavailable
        raise error(done.problem("sbatch"))
    return parse_sbatch(done.stdout)


async def queue(job_ids: list[str]) -> dict[str, Record]:
    """What squeue knows about these jobs (finished ones too, while the controller remembers them)."""
    if not job_ids:
        return {}
    ids = ",".join(check_job_id(job_id) for job_id in job_ids)
    done = await run(["squeue", "--noheader", "--states=all", f"--jobs={ids}", f"--format={SQUEUE_FORMAT}"])
    if done.returncode != 0:
        if UNKNOWN_ID in done.stderr:  # squeue fails like this only when it knows none of the ids
            return {}
        raise SlurmUnavailable(done.problem("squeue"))
    return parse_squeue(done.stdout)


async def show(job_id: str) -> Record | None:
    """``scontrol show job -o ID``: the controller's full record, with the exit code; None if forgotten."""
    done = await run(["scontrol", "show", "job", "-o", check_job_id(job_id)])
    if done.returncode != 0:
        if UNKNOWN_ID in done.stderr:
            return None
        raise SlurmUnavailable(done.problem("scontrol"))
    return parse_scontrol(done.stdout)


async def accounting(job_id: str) -> Record | None:
    """The accounting record of a job the controller forgot: the accounting database if there is one,
    else the job-completion file (``sacct -c``). None when neither knows it."""
    for extra in ([], ["-c"]):
        done = await run(["sacct", *extra, "-j", check_job_id(job_id), "-P", "-n", "-o", SACCT_FIELDS])
        if done.returncode == 0:
            record = parse_sacct(done.stdout, job_id)
            if record is not None:
                return record
    return None


async def find_by_name(name: str) -> list[str]:
    """Ids of the caller's live jobs with this job name (how a restarted engine finds its own submission)."""
    done = await run(["squeue", "--noheader", "--me", f"--name={name}", "--format=%i"])
    if done.returncode != 0:
        raise SlurmUnavailable(done.problem("squeue"))
    return [check_job_id(line.strip()) for line in done.stdout.splitlines() if line.strip()]


async def cancel(job_id: str) -> None:
    """``scancel ID``; a job SLURM already finished is not an error."""
    done = await run(["scancel", check_job_id(job_id)])
    if done.returncode != 0 and UNKNOWN_ID not in done.stderr and "already completing" not in done.stderr:
        raise SlurmUnavailable(done.problem("scancel"))
