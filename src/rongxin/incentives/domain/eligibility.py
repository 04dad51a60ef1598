"""Who may use an offer now, as pure rules: the offer is approved and in its validity window,
it is for this kind of holder, and the holder's current grade reaches its floor."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

GRADES = ("AAA", "AA", "A", "B", "C", "D")  # best first
APPROVED = "approved"  # the one status in which an offer applies (``Incentive.Status.APPROVED``)


class OfferTerms(Protocol):
    """What the rules read of an offer (an ``Incentive``)."""

    @property
    def status(self) -> str: ...

    @property
    def valid_from(self) -> dt.date: ...

    @property
    def valid_until(self) -> dt.date | None: ...

    @property
    def for_persons(self) -> bool: ...

    @property
    def for_organisations(self) -> bool: ...

    @property
    def min_grade(self) -> str: ...


def grade_allows(grade: str, minimum: str) -> bool:
    """The grade reaches the floor (no grade, e.g. a person without consent, never does)."""
    return bool(grade) and grade in GRADES and GRADES.index(grade) <= GRADES.index(minimum)


def grades_reaching(minimum: str) -> list[str]:
    """Every grade that reaches the floor, best first."""
    return [g for g in GRADES if grade_allows(g, minimum)]


def incentive_open(incentive: OfferTerms, today: dt.date) -> bool:
    """Approved and valid on ``today`` (a local date)."""
    return (
        incentive.status == APPROVED
        and incentive.valid_from <= today
        and (incentive.valid_until is None or today <= incentive.valid_until)
    )


def kind_allowed(incentive: OfferTerms, *, person: bool) -> bool:
    """The offer is for persons, or for enterprises and individual businesses."""
    return incentive.for_persons if person else incentive.for_organisations


def eligible_now(*, incentive: OfferTerms, person: bool, grade: str, today: dt.date) -> bool:
    """Eligible: the incentive is open, for this kind of subject, and the subject's current
    grade reaches the floor (persons without consent have no grade, so never)."""
    return (
        incentive_open(incentive, today)
        and kind_allowed(incentive, person=person)
        and grade_allows(grade, incentive.min_grade)
    )
