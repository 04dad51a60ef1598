"""``rongxin backup`` and ``rongxin restore`` as an operator runs them: real processes on a real
database with a small synthetic county. A tampered database is put back by the restore, whose
checks (manifest counts, chain verification, reconcile) pass; a file that is not a backup is
refused and changes nothing."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.slow
RONGXIN = [sys.executable, "-m", "rongxin.cli"]


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command line
        [*RONGXIN, *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup path (PostgreSQL: pg_dump, below)")
def test_backup_and_restore_put_a_tampered_database_back(county: dict[str, str], tmp_path: Path) -> None:
    db = tmp_path / "rongxin.sqlite3"
    backup = tmp_path / "backups" / "b1.sqlite3"
    done = run(["backup", str(backup)], county)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "backups" / "b1.sqlite3.json").exists()
    con = sqlite3.connect(db)
    entries = con.execute("SELECT COUNT(*) FROM credit_entry").fetchone()[0]
    facts = entries + con.execute("SELECT COUNT(*) FROM credit_transition").fetchone()[0]
    chains = con.execute("SELECT COUNT(DISTINCT subject_id) FROM credit_entry").fetchone()[0]
    con.close()
    # given a tampered ledger
    con = sqlite3.connect(db)
    con.execute("UPDATE credit_entry SET points = points + 1 WHERE id = (SELECT MIN(id) FROM credit_entry)")
    con.commit()
    con.close()
    assert run(["credit", "verify"], county).returncode == 1
    # a file that is not a backup is refused and changes nothing
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    refused = run(["restore", str(junk), "--yes"], county)
    assert refused.returncode == 1
    assert "not a SQLite database" in refused.stderr
    assert run(["credit", "verify"], county).returncode == 1
    # when the backup is restored
    restored = run(["restore", str(backup), "--yes"], county)
    # then every check passes and nothing is lost
    assert restored.returncode == 0, restored.stderr
    assert "row counts match the manifest" in restored.stdout
    assert f"ok: {chains} chains, {facts} facts verified" in restored.stdout
    assert "0 drift(s)" in restored.stdout
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM credit_entry").fetchone()[0] == entries
    assert run(["backup", str(backup)], county).returncode == 1  # never overwrites a backup


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump / pg_restore")
def test_pg_dump_and_restore(tmp_path: Path) -> None:
    import psycopg

    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    name = f"{connection.settings_dict['NAME']}_backup"  # one per test database (xdist worker, run)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    try:
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        env.update(RONGXIN_DATA_DIR=str(tmp_path), RONGXIN_ENV="development", DATABASE_URL=f"{base}/{name}")
        for args in (["migrate", "-v0"], ["credit", "load-starters"], ["generate", "--scale", "0.002", "--seed", "3"]):
            assert run(args, env).returncode == 0
        dump = tmp_path / "b.dump"
        done = run(["backup", str(dump)], env)
        assert done.returncode == 0, done.stderr
        with psycopg.connect(f"{base}/{name}", autocommit=True) as db:
            db.execute("UPDATE credit_entry SET points = points + 1 WHERE id = (SELECT MIN(id) FROM credit_entry)")
        assert run(["credit", "verify"], env).returncode == 1
        restored = run(["restore", str(dump), "--yes"], env)
        assert restored.returncode == 0, restored.stderr
        assert "row counts match the manifest" in restored.stdout
        assert "0 drift(s)" in restored.stdout
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
