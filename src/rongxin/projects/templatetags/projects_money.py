"""Money as the marketplace's pages show it: ``{{ amount|yuan }}`` → 「¥12,000.00」 (the funds'
own formatting, whatever the language's number grouping)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from rongxin.funds.domain.money import yuan as yuan_text

register = template.Library()


@register.filter
def yuan(amount: Decimal | int | None) -> str:
    return yuan_text(amount)
