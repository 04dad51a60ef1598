"""Pre-meal sessions: a lecture session of format pre_meal at the canteen's venue, recorded by
the lectures module under its own rules."""

from __future__ import annotations

from typing import Any

import pytest

from rongxin.canteens.selectors.clinics import premeal_sessions
from rongxin.canteens.services.premeal import premeal_schedule
from rongxin.canteens.tests import cooks_helpers
from rongxin.canteens.tests.cooks_helpers import CookWorld, actor, at
from rongxin.core.errors import InvalidInput, NotFound
from rongxin.lectures.models import Session
from rongxin.volunteering.models import Team
from rongxin.volunteering.services import team_create

cooks = cooks_helpers.cooks  # a fixture
frozen = cooks_helpers.frozen  # a fixture


@pytest.fixture
def lecture_team(cooks: CookWorld) -> Team:
    return team_create(
        actor=cooks.town_a, name="崖头宣讲队", tier="town_village", kind="lecture", region_code=cooks.tree.town_a.code
    )


def _schedule(world: CookWorld, who: Any, team: Team, **kw: Any) -> Session:
    args: dict[str, Any] = {
        "canteen_id": world.canteen.pk,
        "title": "餐前一刻钟：医保新政",
        "starts_at": at("2026-03-03 11:15"),
        "ends_at": at("2026-03-03 11:30"),
        "team_id": team.pk,
    }
    args.update(kw)
    return premeal_schedule(actor=who, **args)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("resident", False),
        ("town_b", False),
        ("manager", False),  # lectures does not let a canteen manager record sessions
        ("village_officer", False),
        ("town_a", True),
    ],
)
def test_scheduling_a_premeal_session_permission_matrix(cooks: CookWorld, lecture_team: Team, who: str, allowed: bool):
    if allowed:
        s = _schedule(cooks, actor(cooks, who), lecture_team)
        assert (s.format, s.venue_id, s.region_id, s.place_kind) == (
            "pre_meal",
            cooks.canteen.venue_id,
            cooks.canteen.village_id,
            "venue",
        )
        assert [x.pk for x in premeal_sessions(cooks.canteen)[0]] == [s.pk]
    else:
        with pytest.raises(NotFound):
            _schedule(cooks, actor(cooks, who), lecture_team)
        assert Session.objects.count() == 0


def test_a_premeal_session_lasts_at_most_an_hour(cooks: CookWorld, lecture_team: Team):
    with pytest.raises(InvalidInput) as exc:
        _schedule(cooks, cooks.town_a, lecture_team, ends_at=at("2026-03-03 12:30"))
    assert exc.value.errors[0]["field"] == "ends_at"
    assert Session.objects.count() == 0
