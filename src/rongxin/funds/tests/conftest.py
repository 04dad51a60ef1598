"""Fixtures of the funds tests: ``frozen`` (2026-05-20 10:00 in the county) and ``world`` (see
:mod:`rongxin.funds.tests.books_helpers`)."""

from rongxin.funds.tests.books_helpers import frozen, world

__all__ = ["frozen", "world"]
