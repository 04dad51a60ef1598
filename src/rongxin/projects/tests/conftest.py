"""Fixtures of the projects tests: ``frozen`` (2026-05-20 10:00 in the county) and ``world`` (see
:mod:`rongxin.projects.tests.helpers`)."""

from rongxin.projects.tests.helpers import frozen, world

__all__ = ["frozen", "world"]
