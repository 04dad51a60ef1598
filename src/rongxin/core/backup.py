"""Backups and restores of the platform's database.

- **SQLite**: an online backup with SQLite's backup API (consistent while the web server and the
  worker keep writing; WAL readers are not blocked), to a single file. Restore copies the file
  back in place (the platform must be stopped) after checking it is a Rongxin database.
- **PostgreSQL**: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists
  --no-owner`` with the connection from ``DATABASE_URL`` (the password goes through
  ``PGPASSWORD``, never the command line).

Each backup writes a manifest beside it (``DEST.json``: engine, time, applied migrations and
row counts of the main tables) so a restore can be checked. The encryption key of the ID
numbers (``RONGXIN_PII_KEY``, or ``var/secrets.json`` in development) is **not** in the backup:
keep it apart from the backups; without it the encrypted columns cannot be read.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection

MAGIC_TABLES = ("credit_entry", "subjects_subject", "django_migrations")
COUNTED = ("subjects_subject", "credit_entry", "credit_transition", "volunteering_servicerecord", "core_auditevent")


class BackupError(RuntimeError):
    """A backup or restore that could not be done (the message says why)."""


@dataclass(frozen=True)
class Manifest:
    engine: str
    created_at: str
    migrations: int
    counts: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "created_at": self.created_at,
            "migrations": self.migrations,
            "counts": self.counts,
        }


def _counts(cur: Any, tables: set[str]) -> dict[str, int]:
    out = {}
    for table in COUNTED:
        if table in tables:
            cur.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - names from the constant above
            out[table] = int(cur.fetchone()[0])
    return out


def manifest_now() -> Manifest:
    with connection.cursor() as cur:
        tables = set(connection.introspection.table_names(cur))
        cur.execute("SELECT COUNT(*) FROM django_migrations")
        migrations = int(cur.fetchone()[0])
        counts = _counts(cur, tables)
    return Manifest(
        engine=connection.vendor, created_at=dt.datetime.now(dt.UTC).isoformat(), migrations=migrations, counts=counts
    )


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return path


def _pg_env() -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    args = ["--host", str(s.get("HOST") or "127.0.0.1"), "--port", str(s.get("PORT") or 5432)]
    if s.get("USER"):
        args += ["--username", str(s["USER"])]
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    return args, env


def backup(dest: Path) -> Manifest:
    """Write a backup of the live database to ``dest`` and its manifest to ``dest.json``."""
    dest = dest.resolve()
    if dest.exists():
        raise BackupError(f"{dest} exists; choose a new file name")
    dest.parent.mkdir(parents=True, exist_ok=True)
    manifest = manifest_now()
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(dest)
        try:
            connection.connection.backup(target, pages=4096)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        args, env = _pg_env()
        name = str(connection.settings_dict["NAME"])
        result = subprocess.run(  # noqa: S603 - fixed program, arguments from our settings
            [_program("pg_dump"), "--format=custom", "--no-owner", "--file", str(dest), *args, name],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            dest.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {result.stderr.strip()[:500]}")
    else:
        raise BackupError(f"no backup method for {connection.vendor}")
    Path(str(dest) + ".json").write_text(json.dumps(manifest.as_dict(), indent=2) + "\n", encoding="utf-8")
    return manifest


def read_manifest(src: Path) -> dict[str, Any] | None:
    path = Path(str(src) + ".json")
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _check_sqlite_file(src: Path) -> None:
    try:
        con = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            ok = con.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{src} is not a SQLite database: {exc}") from None
    if not set(MAGIC_TABLES) <= tables:
        raise BackupError(f"{src} is not a Rongxin database")
    if ok != "ok":
        raise BackupError(f"{src} fails SQLite's integrity check: {ok}")


def restore(src: Path) -> None:
    """Replace the database with the backup ``src``. The platform (web and worker) must be
    stopped. Raises BackupError when the file is not a usable backup."""
    src = src.resolve()
    if not src.exists():
        raise BackupError(f"{src} does not exist")
    if connection.vendor == "sqlite":
        _check_sqlite_file(src)
        target = Path(str(connection.settings_dict["NAME"]))
        connection.close()
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        tmp = target.with_suffix(target.suffix + ".restoring")
        shutil.copyfile(src, tmp)
        os.replace(tmp, target)
    elif connection.vendor == "postgresql":
        args, env = _pg_env()
        name = str(connection.settings_dict["NAME"])
        connection.close()
        result = subprocess.run(  # noqa: S603 - fixed program, arguments from our settings
            [_program("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", *args,
             "--dbname", name, str(src)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()[:500]}")
    else:
        raise BackupError(f"no restore method for {connection.vendor}")
