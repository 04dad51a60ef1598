"""Who may record and read a canteen's donations and stock, and who may read its public notice.

- Recording donations and stock use, and reading the staff list (donors' full names, credit):
  whoever runs the canteen (:func:`~rongxin.canteens.permissions.common.runs_canteen`): its
  village's staff (village officers, canteen managers), its town's officers, the canteen
  administrators. Everyone else gets the same ``NotFound`` as for a missing canteen.
- The public notice (公示): anyone, signed in or not, for a canteen that exists and is past
  planning (``planned`` canteens and missing ones are the same 404), rate-limited per client
  address (``RONGXIN_NOTICE_RATE``, django-ratelimit syntax, default ``120/m``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from rongxin.accounts.models import User
from rongxin.canteens.models import Canteen
from rongxin.canteens.permissions.common import access_canteen
from rongxin.core.errors import NotFound

NOTICE_RATE_GROUP = "canteens.notice"
DEFAULT_NOTICE_RATE = "120/m"


def notice_rate(group: str = "", request: Any = None) -> str:
    """The public notice's rate per client address (django-ratelimit's rate callable)."""
    return str(getattr(settings, "RONGXIN_NOTICE_RATE", DEFAULT_NOTICE_RATE))


def access_canteen_for_donations(actor: User | AnonymousUser | None, canteen_id: int, **_path: Any) -> Canteen:
    """The canteen if the actor runs it (records donations and stock, reads donors' names);
    NotFound otherwise. Usable as an API gate."""
    return access_canteen(actor, canteen_id)


def public_canteen(canteen_id: int) -> Canteen:
    """The canteen whose notice anyone may read: it exists and is not ``planned``."""
    canteen = (
        Canteen.objects.select_related("village", "town")
        .filter(pk=canteen_id)
        .exclude(status=Canteen.Status.PLANNED)
        .first()
    )
    if canteen is None:
        raise NotFound()
    return canteen
