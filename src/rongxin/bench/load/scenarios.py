"""What a load run sends: the scenarios, their mix, the steps, the concurrency levels, and the
endpoints and settings the clients and the server share."""

from __future__ import annotations

DEFAULT_LEVELS = (8, 32, 64)
SCENARIOS = ("verify", "checkin", "explanation", "search")
MIX = {"verify": 40, "checkin": 30, "explanation": 15, "search": 15}
STEPS = (*SCENARIOS, "mixed", "static")
OFFER = "credit-supermarket"
RATE = "1000000/m"
VERIFY_PATH = "/api/v1/incentives/verify"
SCAN_PATH = "/api/v1/volunteering/scan"
STEP_SECONDS = 30  # rongxin.volunteering.domain.tokens.STEP_SECONDS (checked in the child)


def levels_from(text: str | None) -> list[int]:
    levels = [int(x) for x in (text or "").replace(" ", "").split(",") if x]
    if any(n < 1 for n in levels):
        raise ValueError("concurrency levels must be positive")
    return levels or list(DEFAULT_LEVELS)
