"""Security: private files, no shell anywhere user data could reach, and no network listener."""

from __future__ import annotations

import ast
import stat
from pathlib import Path

from engine.paths import Home
from engine.store.models import Job
from tests.conftest import ROOT, Cli, EngineProcess, wait_for
from tests.test_workers import submit_steps


def test_no_product_code_starts_a_shell_or_evaluates_text() -> None:
    """No subprocess call with shell=True, and no eval/exec/os.system/os.popen, anywhere in the product."""
    offenders = []
    for path in [*ROOT.glob("engine/**/*.py"), *ROOT.glob("tui/**/*.py"), *ROOT.glob("themes/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                if name in ("eval", "exec", "os.system", "os.popen", "compile"):
                    offenders.append(f"{path}:{node.lineno}: {name}")
                for keyword in node.keywords:
                    if keyword.arg == "shell" and not (
                        isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                    ):
                        offenders.append(f"{path}:{node.lineno}: shell=")
    assert offenders == []


def test_logs_results_and_exports_are_private(cli: Cli, home: Home, tmp_path: Path) -> None:
    job_id = cli.submit_command("echo", "hi")
    cli("engine", "--until-idle")
    cli("export-history", str(tmp_path / "history.json"))
    paths = [home.job_log(job_id), home.db_path, tmp_path / "history.json", home.logs, home.root]
    modes = {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in paths}
    assert modes == {
        home.job_log(job_id).name: "0o600",
        "hornq.db": "0o600",
        "history.json": "0o600",
        "logs": "0o700",
        home.root.name: "0o700",
    }


def listening_inodes() -> set[str]:
    inodes = set()
    for table in ("tcp", "tcp6", "udp", "udp6"):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if table.startswith("tcp") and fields[3] != "0A":  # 0A = LISTEN
                continue
            inodes.add(fields[9])
    return inodes


def socket_inodes(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().as_posix()
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(target[8:-1])
    return found


def test_neither_the_engine_nor_its_workers_listen_on_a_network_port(
    cli: Cli, engine_process: EngineProcess, tmp_path: Path
) -> None:
    job_id = submit_steps(cli, tmp_path, "slow", steps=100, step_s=0.1)
    proc = engine_process.start()
    worker = wait_for(lambda: Job.get_by_id(job_id).worker_pid)
    open_sockets = socket_inodes(proc.pid) | socket_inodes(worker)
    assert open_sockets & listening_inodes() == set()
    cli("stop", job_id)
