"""Jobs of canteens, registered on import by :func:`rongxin.core.jobs` discovery of
``<app>.tasks``."""

from rongxin.canteens.tasks import certificates  # noqa: F401
