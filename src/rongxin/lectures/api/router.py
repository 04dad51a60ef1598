"""JSON endpoints of lectures: each area's module has its own router, all under
``/api/v1/lectures`` (mounted by ``rongxin.config.api``, which discovers every app's
``api.router``)."""

from __future__ import annotations

from typing import Any

from rongxin.lectures.api import book, figures, orders, people, sessions

# Mounted under /api/v1 by rongxin.config.api.
mounts: tuple[tuple[str, Any], ...] = (
    ("/lectures", book.router),
    ("/lectures", orders.router),
    ("/lectures", figures.router),
    ("/lectures", sessions.router),
    ("/lectures", people.router),
)
