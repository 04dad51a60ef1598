"""Progress of long jobs that run inside one database transaction (an all-or-nothing import).

Their own writes are invisible to other connections until they commit (and on SQLite nobody
else may write meanwhile), so progress goes to a small file in ``RONGXIN_DATA_DIR/progress``
that the pages read. The web server and the worker share that directory (one machine, or a
shared volume); without it a page shows progress only at the start and the end.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from django.conf import settings


def _path(kind: str, key: object) -> Path:
    return Path(settings.DATA_DIR) / "progress" / f"{kind}-{key}.json"


def progress_write(kind: str, key: object, *, done: int, total: int) -> None:
    path = _path(kind, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"done": done, "total": total}), encoding="utf-8")
    os.replace(tmp, path)  # readers see the old or the new file, never half of one


def progress_read(kind: str, key: object) -> tuple[int, int] | None:
    try:
        data = json.loads(_path(kind, key).read_text(encoding="utf-8"))
        return int(data["done"]), int(data["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def progress_mtime(kind: str, key: object) -> dt.datetime | None:
    """When the progress last moved (the file's modification time)."""
    try:
        return dt.datetime.fromtimestamp(_path(kind, key).stat().st_mtime, tz=dt.UTC)
    except OSError:
        return None


def progress_clear(kind: str, key: object) -> None:
    _path(kind, key).unlink(missing_ok=True)
