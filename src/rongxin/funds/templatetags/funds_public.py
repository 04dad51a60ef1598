"""Display filters of the public funds pages: ``{{ amount|yuan }}`` (¥1,234.50) and the words for a
commendation's category and award kind in the page's language."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import pgettext_lazy

from rongxin.funds.domain import money
from rongxin.funds.models import Nomination

register = template.Library()


@register.filter
def yuan(amount: Decimal | int | None) -> str:
    return money.yuan(amount)


@register.filter
def honour_category(code: str) -> str:
    return str(Nomination.Category(code).label) if code in Nomination.Category.values else code


AWARDS = {
    "money": pgettext_lazy("honour award", "Prize money"),
    "goods": pgettext_lazy("honour award", "Prize"),
    "certificate": pgettext_lazy("honour award", "Certificate of honour"),
}


@register.filter
def honour_award(code: str) -> str:
    return str(AWARDS.get(code, code))
