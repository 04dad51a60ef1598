"""JSON endpoints of canteens: each area's module has its own router, all under
``/api/v1/canteens`` (mounted by ``rongxin.config.api``, which discovers every app's
``api.router``)."""

from __future__ import annotations

from typing import Any

from rongxin.canteens.api import cooks, donations, service, sites

# Mounted under /api/v1 by rongxin.config.api.
mounts: tuple[tuple[str, Any], ...] = (
    ("/canteens", sites.router),
    ("/canteens", service.router),
    ("/canteens", cooks.router),
    ("/canteens", donations.router),
)
