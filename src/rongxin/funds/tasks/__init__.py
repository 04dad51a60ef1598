"""Jobs of funds and commendations, registered on import by :func:`rongxin.core.jobs` discovery of
``<app>.tasks``."""
