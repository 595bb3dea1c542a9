"""Storage: private files, pragmas, and migrations that upgrade rather than recreate."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from engine.errors import StorageError
from engine.paths import Home, resolve_home
from engine.store.db import MIGRATIONS, SCHEMA_VERSION, open_database
from engine.store.models import Job, database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_home_directories_are_0700_and_database_files_0600(tmp_path: Path) -> None:
    home = Home(tmp_path / "fresh")
    db = open_database(home)
    db.close()
    assert mode(home.root) == mode(home.logs) == mode(home.work) == 0o700
    for path in home.root.glob("hornq.db*"):
        assert mode(path) == 0o600, path


def test_database_uses_wal_foreign_keys_and_a_busy_timeout(home: Home) -> None:
    pragma = lambda name: database.execute_sql(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") >= 5000


def test_a_version_1_file_is_upgraded_in_place_keeping_its_jobs(tmp_path: Path) -> None:
    home = Home(tmp_path / "old").prepare()
    conn = sqlite3.connect(home.db_path)
    for statement in filter(str.strip, MIGRATIONS[0].split(";")):
        conn.execute(statement)
    conn.execute(
        "INSERT INTO job (id, kind, status, created_at, updated_at, queued_at, queue_seq, config_json, "
        "config_summary_json, change_seq) VALUES ('0123abcd-0000-0000-0000-000000000000', 'command', 'queued', "
        "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', 1, '{}', '{}', 1)"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()

    db = open_database(home)
    assert db.execute_sql("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION > 1
    assert Job.get_by_id("0123abcd-0000-0000-0000-000000000000").status == "queued"
    assert db.table_exists("job_tombstone")
    db.close()


def test_a_database_from_a_newer_hornq_is_refused_untouched(tmp_path: Path) -> None:
    home = Home(tmp_path / "newer").prepare()
    conn = sqlite3.connect(home.db_path)
    conn.execute("CREATE TABLE future (x)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match="newer hornq"):
        open_database(home)
    conn = sqlite3.connect(home.db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("future",)]


def test_a_file_that_is_not_a_database_is_refused_with_its_path(tmp_path: Path) -> None:
    home = Home(tmp_path / "corrupt").prepare()
    home.db_path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match=r"hornq\.db"):
        open_database(home)


def test_a_home_that_cannot_be_created_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(StorageError, match="cannot create"):
        open_database(Home(blocker / "home"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through directory permissions")
def test_a_read_only_home_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(StorageError, match="not writable"):
        open_database(Home(locked))


def test_home_comes_from_the_option_then_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HORNQ_HOME", str(tmp_path / "env"))
    assert resolve_home(None) == tmp_path / "env"
    assert resolve_home(str(tmp_path / "flag")) == tmp_path / "flag"
    monkeypatch.delenv("HORNQ_HOME")
    assert "hornq" in str(resolve_home(None))
