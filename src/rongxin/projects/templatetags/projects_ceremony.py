"""Template filters of the ceremony screen and the figures: money as ``¥1,234.50``."""

from __future__ import annotations

from decimal import Decimal

from django import template

from rongxin.funds.domain.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(amount: Decimal | int | None) -> str:
    """``¥1,234.50`` ("" for None)."""
    return _yuan(amount)
