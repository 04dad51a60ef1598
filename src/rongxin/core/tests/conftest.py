"""A small synthetic county on disk, built once per test session by the real commands, that the
process-level tests (backup and restore, crash safety) copy and then run commands against."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

RONGXIN = [sys.executable, "-m", "rongxin.cli"]


def county_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(RONGXIN_DATA_DIR=str(data_dir), RONGXIN_ENV="development")
    return env


def build_county(data_dir: Path) -> None:
    env = county_env(data_dir)
    for args in (["migrate", "-v0"], ["credit", "load-starters"], ["generate", "--scale", "0.005", "--seed", "11"]):
        done = subprocess.run(  # noqa: S603 - our own command line
            [*RONGXIN, *args], env=env, capture_output=True, text=True, timeout=900, check=False
        )
        assert done.returncode == 0, done.stderr[-2000:]


@pytest.fixture(scope="session")
def county_template(tmp_path_factory: Any) -> Path:
    """Built once per run: under pytest-xdist the workers' temporary folders share one parent,
    where the first worker to need the county builds it while another waits for the lock."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    data_dir = root / "county-template"
    with open(root / "county-template.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (data_dir / "built").exists():
            shutil.rmtree(data_dir, ignore_errors=True)
            data_dir.mkdir()
            build_county(data_dir)
            (data_dir / "built").touch()
    return data_dir


@pytest.fixture
def county(county_template: Path, tmp_path: Path) -> dict[str, str]:
    """A private copy of the county (database and its keys) in this test's directory."""
    for name in ("rongxin.sqlite3", "secrets.json"):
        shutil.copyfile(county_template / name, tmp_path / name)
    return county_env(tmp_path)
