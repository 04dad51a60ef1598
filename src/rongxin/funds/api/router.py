"""JSON endpoints of funds and commendations: each area's module has its own router, all under
``/api/v1/funds`` (mounted by ``rongxin.config.api``, which discovers every app's
``api.router``)."""

from __future__ import annotations

from typing import Any

from rongxin.funds.api import books, county, meetings, public

# Mounted under /api/v1 by rongxin.config.api.
mounts: tuple[tuple[str, Any], ...] = (
    ("/funds", books.router),
    ("/funds", county.router),
    ("/funds", meetings.router),
    ("/funds", public.router),
)
