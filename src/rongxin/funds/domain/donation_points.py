"""How many credit points a donation to a fund earns, before the rule's yearly caps.

The scale (pure, no I/O):

- **persons** (rule ``P-DON-02``, 1–20 points): one point per full ¥100 of the value (money given,
  or goods as assessed on receipt);
- **organisations** (rule ``E-DON-02``, 5–30 points): one point per full ¥1,000.

A donation worth fewer points than the rule's minimum earns none (``P-DON-02``: under ¥100;
``E-DON-02``: under ¥5,000); one worth more than the rule's maximum earns the maximum. The
credit engine then trims the points to the rule's yearly caps (``P-DON-02``: 30 points a year,
``E-DON-02``: 50) and says so in its outcome.

Why a donation did or did not earn credit is one of :data:`CREDIT_STATES`, kept on the donation.
"""

from __future__ import annotations

from decimal import Decimal

YUAN_PER_POINT_PERSON = Decimal(100)
YUAN_PER_POINT_ORGANISATION = Decimal(1000)

# ``Donation.credit_status`` (at most 10 characters).
CREDIT_CREATED = "created"  # counted in the donor's score
CREDIT_HELD = "held"  # recorded, awaiting the credit office's review (the rule asks for it)
CREDIT_EXISTING = "existing"  # recorded before (a retried award)
CREDIT_CAPPED = "capped"  # the rule's yearly cap left nothing
CREDIT_NO_CONSENT = "no_consent"  # the person has not agreed to credit scoring
CREDIT_BELOW = "below"  # worth less than the rule's smallest award
CREDIT_NO_FILE = ""  # the donor was not chosen from the credit files
CREDIT_STATES = (
    CREDIT_CREATED,
    CREDIT_HELD,
    CREDIT_EXISTING,
    CREDIT_CAPPED,
    CREDIT_NO_CONSENT,
    CREDIT_BELOW,
    CREDIT_NO_FILE,
)


def donation_points(value: Decimal, *, organisation: bool, points_min: int, points_max: int) -> int:
    """The points a donation worth ``value`` yuan earns under a rule of range
    [``points_min``, ``points_max``]: 0 below the minimum, at most the maximum."""
    if value <= 0:
        return 0
    per_point = YUAN_PER_POINT_ORGANISATION if organisation else YUAN_PER_POINT_PERSON
    points = int(value // per_point)
    if points < max(points_min, 1):
        return 0
    return min(points, points_max)


ANONYMOUS = "爱心人士（匿名）"


def public_donor(name: str, *, anonymous: bool) -> str:
    """The donor as the public list shows them: 「爱心人士（匿名）」 for a donor who asked."""
    return ANONYMOUS if anonymous else name
