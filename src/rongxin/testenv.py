"""pytest plugin (``-p rongxin.testenv``): the test environment, set before Django configures.

Tests run with ``RONGXIN_ENV=test`` and a throw-away data directory, so a developer's demo
database and keys are never touched by a test run.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("RONGXIN_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rongxin.config.settings")
os.environ.setdefault("RONGXIN_DATA_DIR", tempfile.mkdtemp(prefix="rongxin-test-"))
