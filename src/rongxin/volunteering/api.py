"""JSON endpoints of volunteering (the pages call the same services)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["volunteering"])
