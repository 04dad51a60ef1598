"""pytest plugin (``-p rongxin.testenv``): the test environment, set before Django configures.

Tests run with ``RONGXIN_ENV=test`` and a throw-away data directory, so a developer's demo
database and keys are never touched by a test run.

Under pytest-xdist (``-n``) every worker is its own process with its own test database
(pytest-django names it after the worker) and, from here, its own data directory: a folder
per worker inside the run's one, so generated keys and progress files (named after row ids
that each worker's database counts from 1) never meet.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("RONGXIN_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rongxin.config.settings")
os.environ.setdefault("RONGXIN_DATA_DIR", tempfile.mkdtemp(prefix="rongxin-test-"))
# xdist sets PYTEST_XDIST_WORKER ("gw0", "gw1", ...) in a worker before its plugins load; the
# workers inherit the controller's environment, so each one moves into its own folder.
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    _own = Path(os.environ["RONGXIN_DATA_DIR"]) / _worker
    _own.mkdir(parents=True, exist_ok=True)
    os.environ["RONGXIN_DATA_DIR"] = str(_own)
