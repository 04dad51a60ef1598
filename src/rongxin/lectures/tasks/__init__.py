"""Jobs of lectures (quota reminders, order deadlines), registered on import by
:func:`rongxin.core.jobs` discovery of ``<app>.tasks``."""

from rongxin.lectures.tasks import orders, quota  # noqa: F401
