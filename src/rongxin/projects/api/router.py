"""JSON endpoints of the project marketplace and small wishes: each area's module has its own
router, all under ``/api/v1/projects`` (mounted by ``rongxin.config.api``, which discovers every
app's ``api.router``)."""

from __future__ import annotations

from typing import Any

from rongxin.projects.api import ceremony, publish, sponsor, wishes, work

# Mounted under /api/v1 by rongxin.config.api.
mounts: tuple[tuple[str, Any], ...] = (
    ("/projects", publish.router),
    ("/projects", sponsor.router),
    ("/projects", work.router),
    ("/projects", wishes.router),
    ("/projects", ceremony.router),
)
