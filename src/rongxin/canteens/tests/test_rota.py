"""The rota: placing a cook invites them to the day's volunteering activity; an expired health
certificate keeps them off; removing them cancels the invitation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rongxin.canteens.models import RotaSlot
from rongxin.canteens.services.rota import rota_place, rota_remove
from rongxin.canteens.tests import cooks_helpers
from rongxin.canteens.tests.cooks_helpers import CookWorld, actor, certificate
from rongxin.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from rongxin.subjects.models import Notice
from rongxin.volunteering.models import Activity, Signup
from rongxin.volunteering.services import signup_create

TUESDAY = dt.date(2026, 3, 3)

cooks = cooks_helpers.cooks  # a fixture
frozen = cooks_helpers.frozen  # a fixture


def _place(
    world: CookWorld, who: Any, *, on: object = TUESDAY, duty: str = "cook", number: str | None = None, **kw: Any
) -> RotaSlot:
    return rota_place(
        actor=who,
        canteen_id=world.canteen.pk,
        on=on,
        duty=duty,
        volunteer_number=number or world.cook.number,
        **kw,
    )


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("anonymous", NotFound),
        ("resident", NotFound),
        ("auditor", NotFound),
        ("town_a", NotFound),
        ("admin", NotFound),
        ("village_b_officer", NotFound),
        ("manager_b", NotFound),
        ("plain_manager", Forbidden),  # village staff, but organises no team: a clear refusal
        ("village_officer", None),
        ("manager", None),
    ],
)
def test_placing_a_cook_permission_matrix(cooks: CookWorld, who: str, error: Any):
    # given a cook with a valid certificate
    certificate(cooks.cook, number="A1", issued="2026-01-01", expires="2026-12-31")
    # when someone places them on Tuesday's rota
    if error is None:
        slot = _place(cooks, actor(cooks, who))
        # then the day's activity exists, published, and the cook is invited to it
        activity = Activity.objects.get()
        assert (slot.date, slot.duty, slot.volunteer_id, slot.activity_id) == (
            TUESDAY,
            "cook",
            cooks.cook.pk,
            activity.pk,
        )
        assert (activity.status, activity.type.code, activity.team_id, activity.capacity) == (
            "published",
            "canteen_cooking",
            cooks.canteen.team_id,
            20,
        )
        assert list(Signup.objects.values_list("volunteer_id", "status")) == [(cooks.cook.pk, "invited")]
        assert Notice.objects.filter(subject_id=cooks.cook.pk, kind="volunteering.invitation").count() == 1
    else:
        with pytest.raises(error):
            _place(cooks, actor(cooks, who))
        # then nothing changed
        assert (RotaSlot.objects.count(), Activity.objects.count(), Signup.objects.count()) == (0, 0, 0)


def test_a_second_cook_on_the_same_day_joins_the_same_activity_and_delivery_has_its_own(cooks: CookWorld):
    certificate(cooks.cook, number="A1", issued="2026-01-01", expires="2026-12-31")
    certificate(cooks.cook2, number="B1", issued="2026-01-01", expires="2026-12-31")
    # when two cooks are placed on Tuesday (cook and serve) and the second on Wednesday's delivery
    a = _place(cooks, cooks.manager)
    b = _place(cooks, cooks.manager, duty="serve", number=cooks.cook2.number)
    c = _place(
        cooks, cooks.manager, on=TUESDAY + dt.timedelta(days=1), duty="deliver", number=cooks.cook2.number, insured=True
    )
    # then Tuesday is one activity, Wednesday's delivery another
    assert a.activity_id == b.activity_id
    assert c.activity_id != a.activity_id
    assert Activity.objects.get(pk=c.activity_id).type.code == "meal_delivery"
    # and a cook cannot be on one day twice
    with pytest.raises(Conflict) as exc:
        _place(cooks, cooks.manager, duty="serve")
    assert exc.value.code == "already_on_rota"
    assert RotaSlot.objects.count() == 3


def test_delivery_needs_insurance(cooks: CookWorld):
    certificate(cooks.cook, number="A1", issued="2026-01-01", expires="2026-12-31")
    with pytest.raises(InvalidInput) as exc:
        _place(cooks, cooks.manager, duty="deliver")
    assert exc.value.errors[0]["field"] == "insured"
    assert (RotaSlot.objects.count(), Activity.objects.count()) == (0, 0)


def test_a_cook_whose_certificate_expired_before_the_day_cannot_be_placed(cooks: CookWorld):
    # given a certificate that expires on Monday 2026-03-02
    certificate(cooks.cook, number="A1", issued="2025-03-03", expires="2026-03-02")
    # when the manager places the cook on Tuesday
    with pytest.raises(InvalidInput) as exc:
        _place(cooks, cooks.manager)
    # then it is refused in Chinese, naming the cook and the expiry
    assert exc.value.errors[0]["field"] == "volunteer_number"
    assert str(exc.value.errors[0]["message"]) == "cook_wang 的健康证已于 2026-03-02 到期，早于该日；请先登记新证。"
    assert (RotaSlot.objects.count(), Activity.objects.count()) == (0, 0)


def test_a_certificate_expiring_the_day_after_the_rota_day_is_good(cooks: CookWorld):
    # given a certificate that expires on Wednesday
    certificate(cooks.cook, number="A1", issued="2025-03-04", expires="2026-03-04")
    # when placed on Tuesday, and on Wednesday (its last day)
    _place(cooks, cooks.manager)
    _place(cooks, cooks.manager, on=dt.date(2026, 3, 4))
    # then both stand; Thursday is refused
    with pytest.raises(InvalidInput):
        _place(cooks, cooks.manager, on=dt.date(2026, 3, 5))
    assert RotaSlot.objects.count() == 2


def test_the_latest_certificate_counts(cooks: CookWorld):
    # given an expired certificate and a newer valid one
    certificate(cooks.cook, number="OLD", issued="2025-01-01", expires="2026-01-01")
    certificate(cooks.cook, number="NEW", issued="2026-01-02", expires="2027-01-01")
    # when placed then it stands
    assert _place(cooks, cooks.manager).volunteer_id == cooks.cook.pk


def test_a_cook_without_a_certificate_cannot_be_placed(cooks: CookWorld):
    with pytest.raises(InvalidInput) as exc:
        _place(cooks, cooks.manager)
    assert str(exc.value.errors[0]["message"]) == "cook_wang 没有健康证；请先登记后再排班。"


@pytest.mark.parametrize(
    ("on", "code"),
    [
        (dt.date(2026, 3, 1), "day_past"),  # Sunday before
        (dt.date(2026, 3, 7), "not_meal_day"),  # Saturday
        (dt.date(2026, 6, 1), "day_too_far"),
        ("２０２６-０３-０７", "not_meal_day"),
        ("tuesday", "invalid_date"),
    ],
)
def test_days_off_the_rota_are_refused(cooks: CookWorld, on: object, code: str):
    certificate(cooks.cook, number="A1", issued="2026-01-01", expires="2026-12-31")
    with pytest.raises(InvalidInput) as exc:
        _place(cooks, cooks.manager, on=on)
    assert exc.value.errors[0]["code"] == code
    assert RotaSlot.objects.count() == 0


def test_today_after_the_work_started_is_refused(cooks: CookWorld, frozen: Any):
    certificate(cooks.cook, number="A1", issued="2026-01-01", expires="2026-12-31")
    frozen.move_to("2026-03-02 09:30 +0800")
    with pytest.raises(InvalidInput) as exc:
        _place(cooks, cooks.manager, on=dt.date(2026, 3, 2))
    assert exc.value.errors[0]["code"] == "day_past"


def test_the_invited_cook_signs_up_and_removal_cancels_it(cooks: CookWorld):
    # given the cook placed and signed up through volunteering
    certificate(cooks.cook, number="A1", issued="2026-01-01", expires="2026-12-31")
    certificate(cooks.cook2, number="B1", issued="2026-01-01", expires="2026-12-31")
    slot = _place(cooks, cooks.manager)
    _place(cooks, cooks.manager, number=cooks.cook2.number)
    signup_create(actor=cooks.cook_user, activity_id=slot.activity_id)
    assert Activity.objects.get(pk=slot.activity_id).confirmed_count == 1
    # when the manager takes the cook off the rota
    rota_remove(actor=cooks.manager, canteen_id=cooks.canteen.pk, on=TUESDAY, volunteer_number=cooks.cook.number)
    # then the place is released, the cook told, and the activity stays for the other cook
    slot.refresh_from_db()
    activity = Activity.objects.get(pk=slot.activity_id)
    assert slot.removed_at is not None
    assert Signup.objects.get(volunteer=cooks.cook).status == "cancelled"
    assert (activity.status, activity.confirmed_count) == ("published", 0)
    assert Notice.objects.filter(subject_id=cooks.cook.pk, kind="canteens.rota_removed").count() == 1
    # when the last one is removed the day's activity is cancelled
    rota_remove(actor=cooks.manager, canteen_id=cooks.canteen.pk, on=TUESDAY, volunteer_number=cooks.cook2.number)
    assert Activity.objects.get(pk=slot.activity_id).status == "cancelled"
    # and placing again makes a new activity
    again = _place(cooks, cooks.manager)
    assert again.activity_id != slot.activity_id
    assert Signup.objects.get(activity_id=again.activity_id).status == "invited"


@pytest.mark.parametrize("who", ["anonymous", "town_a", "manager_b", "village_b_officer"])
def test_removing_permission_matrix(cooks: CookWorld, who: str):
    certificate(cooks.cook, number="A1", issued="2026-01-01", expires="2026-12-31")
    _place(cooks, cooks.manager)
    with pytest.raises(NotFound):
        rota_remove(
            actor=actor(cooks, who), canteen_id=cooks.canteen.pk, on=TUESDAY, volunteer_number=cooks.cook.number
        )
    assert RotaSlot.objects.filter(removed_at__isnull=True).count() == 1
    assert Signup.objects.get().status == "invited"


def test_a_cook_who_signed_up_on_their_own_is_placed_without_a_second_invitation(cooks: CookWorld):
    # given the day's activity (made by placing another cook) and our cook signed up on their own
    certificate(cooks.cook, number="A1", issued="2026-01-01", expires="2026-12-31")
    certificate(cooks.cook2, number="B1", issued="2026-01-01", expires="2026-12-31")
    first = _place(cooks, cooks.manager, number=cooks.cook2.number)
    signup_create(actor=cooks.cook_user, activity_id=first.activity_id)
    # when the manager puts them on the rota for that day
    slot = _place(cooks, cooks.manager, duty="serve")
    # then they are placed, still confirmed, and got no invitation
    assert slot.activity_id == first.activity_id
    assert Signup.objects.get(volunteer=cooks.cook).status == "confirmed"
    assert Notice.objects.filter(subject_id=cooks.cook.pk, kind="volunteering.invitation").count() == 0


def test_the_week_api_refuses_a_malformed_week(cooks: CookWorld):
    from rongxin.conftest import client_for

    response = client_for(cooks.manager).get(f"/api/v1/canteens/{cooks.canteen.pk}/rota?week=2026-10")
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "请按 YYYY-Www 格式输入周次，例如 2026-W10。"
