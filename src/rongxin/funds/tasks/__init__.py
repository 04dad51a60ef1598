"""Jobs of funds and commendations, registered on import by :func:`rongxin.core.jobs` discovery of
``<app>.tasks``."""

from rongxin.funds.tasks import publicity  # noqa: F401
