"""The life of a project, as a pure function: which action moves it from which state, and why an
action is refused. The services ask :func:`check` under the project's row lock before they write,
so a page, the API and the property test (``tests/test_state_machine.py``) meet the same rules.

::

    draft ──publish──▶ published ──(pledges reach the budget)──▶ claimed ──start──▶ in_progress
      │                  │  ▲                                       │                    │
      └──withdraw──▶ closed ◀─withdraw─┘  └──(a pledge withdrawn)────┘                 complete
                         ▲                                                              ▼
                         └──────close (left-over 0)── accepted ◀──accept── completed

- A project is claimed when what is pledged (open or paid pledges) equals its budget; a
  withdrawn pledge before the start puts it back to published.
- It starts when it is claimed and a team is picked; the team then reports and links activities.
- Money is paid in from published to accepted (late payments of pledges), never into a draft or
  a closed project; spending happens in progress or completed, never beyond what is left.
- An accepted project closes once its left-over is returned or moved (left 0).
- Withdrawing is possible only before any money came in.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

DRAFT = "draft"
PUBLISHED = "published"
CLAIMED = "claimed"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
ACCEPTED = "accepted"
CLOSED = "closed"
STATES = (DRAFT, PUBLISHED, CLAIMED, IN_PROGRESS, COMPLETED, ACCEPTED, CLOSED)

# The states in which each kind of write is allowed (besides the transitions below).
EDITABLE = frozenset({DRAFT})
PLEDGEABLE = frozenset({PUBLISHED})
PAYABLE = frozenset({PUBLISHED, CLAIMED, IN_PROGRESS, COMPLETED, ACCEPTED})
TEAM_CHOOSING = frozenset({PUBLISHED, CLAIMED})
WORKING = frozenset({IN_PROGRESS})
SPENDABLE = frozenset({IN_PROGRESS, COMPLETED})
SETTLING = frozenset({ACCEPTED})
MILESTONE_PLANNING = frozenset({DRAFT, PUBLISHED, CLAIMED, IN_PROGRESS})
PUBLIC = frozenset({PUBLISHED, CLAIMED, IN_PROGRESS, COMPLETED, ACCEPTED, CLOSED})


@dataclass(frozen=True)
class Facts:
    """What the rules look at."""

    state: str
    budget: Decimal
    pledged: Decimal
    raised: Decimal
    spent: Decimal
    settled: Decimal
    team_picked: bool
    milestones: int = 0

    @property
    def left(self) -> Decimal:
        return self.raised - self.spent - self.settled


class Refused(Exception):
    """The action is not allowed now; ``code`` names why (the services give the Chinese message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


ACTIONS = ("publish", "withdraw", "pledged", "unpledged", "start", "complete", "accept", "close")


def check(action: str, facts: Facts) -> str:
    """The state after ``action`` (raises :class:`Refused` with a code when it is not allowed).

    ``pledged`` / ``unpledged`` are the automatic moves after a pledge is made or withdrawn: the
    facts are the ones after the change."""
    s = facts.state
    if action == "publish":
        if s != DRAFT:
            raise Refused("not_draft")
        return PUBLISHED
    if action == "withdraw":
        if s not in (DRAFT, PUBLISHED, CLAIMED):
            raise Refused("already_started")
        if facts.raised > 0:
            raise Refused("money_in")
        return CLOSED
    if action == "pledged":
        if s != PUBLISHED:
            raise Refused("not_open_for_pledges")
        if facts.pledged > facts.budget:
            raise Refused("over_budget")
        return CLAIMED if facts.pledged == facts.budget else PUBLISHED
    if action == "unpledged":
        if s in (PUBLISHED, CLAIMED):
            return CLAIMED if facts.pledged == facts.budget else PUBLISHED
        return s  # after the start a withdrawn pledge changes only what is still to come
    if action == "start":
        if s != CLAIMED:
            raise Refused("not_claimed")
        if not facts.team_picked:
            raise Refused("no_team")
        return IN_PROGRESS
    if action == "complete":
        if s != IN_PROGRESS:
            raise Refused("not_in_progress")
        return COMPLETED
    if action == "accept":
        if s != COMPLETED:
            raise Refused("not_completed")
        return ACCEPTED
    if action == "close":
        if s != ACCEPTED:
            raise Refused("not_accepted")
        if facts.left != 0:
            raise Refused("left_over")
        return CLOSED
    raise Refused("unknown_action")


def allows(kind: str, state: str) -> bool:
    """Whether a write of ``kind`` (edit, pledge, pay, team, work, spend, settle, milestone) is
    allowed in ``state``."""
    table = {
        "edit": EDITABLE,
        "pledge": PLEDGEABLE,
        "pay": PAYABLE,
        "team": TEAM_CHOOSING,
        "work": WORKING,
        "spend": SPENDABLE,
        "settle": SETTLING,
        "milestone": MILESTONE_PLANNING,
    }
    return state in table[kind]
