"""Clinics: scheduled by the canteen's town, administrators and village staff; recorded after
they start; cancelled before."""

from __future__ import annotations

from typing import Any

import pytest

from rongxin.canteens.models import ClinicVisit
from rongxin.canteens.selectors.clinics import upcoming_clinics
from rongxin.canteens.services.clinics import clinic_cancel, clinic_record, clinic_schedule
from rongxin.canteens.tests import cooks_helpers
from rongxin.canteens.tests.cooks_helpers import CookWorld, actor, at
from rongxin.core.errors import Conflict, InvalidInput, NotFound

cooks = cooks_helpers.cooks  # a fixture
frozen = cooks_helpers.frozen  # a fixture


def _schedule(world: CookWorld, who: Any, **kw: Any) -> ClinicVisit:
    args: dict[str, Any] = {
        "canteen_id": world.canteen.pk,
        "provider_kind": "hospital",
        "provider_name": "荣成市人民医院",
        "services": "量血压、测血糖",
        "starts_at": at("2026-03-05 09:00"),
        "ends_at": at("2026-03-05 11:00"),
    }
    args.update(kw)
    return clinic_schedule(actor=who, **args)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("resident", False),
        ("auditor", False),
        ("town_b", False),  # right role, wrong town
        ("manager_b", False),  # right role, wrong village
        ("town_a", True),
        ("admin", True),
        ("village_officer", True),
        ("plain_manager", True),
    ],
)
def test_scheduling_a_clinic_permission_matrix(cooks: CookWorld, who: str, allowed: bool):
    if allowed:
        clinic = _schedule(cooks, actor(cooks, who))
        assert (clinic.canteen_id, clinic.status, clinic.provider_name) == (
            cooks.canteen.pk,
            "scheduled",
            "荣成市人民医院",
        )
    else:
        with pytest.raises(NotFound):
            _schedule(cooks, actor(cooks, who), provider_kind="nonsense")
        assert ClinicVisit.objects.count() == 0


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"provider_kind": "bank"}, "provider_kind"),
        ({"ends_at": at("2026-03-05 08:00")}, "ends_at"),
        ({"ends_at": at("2026-03-06 09:00")}, "ends_at"),
        ({"starts_at": at("2026-03-01 09:00"), "ends_at": at("2026-03-01 10:00")}, "starts_at"),
        ({"provider_name": "医院\x00"}, "provider_name"),
        ({"services": ""}, "services"),
    ],
)
def test_bad_clinics_are_refused(cooks: CookWorld, kw: dict[str, Any], field: str):
    with pytest.raises(InvalidInput) as exc:
        _schedule(cooks, cooks.town_a, **kw)
    assert [e["field"] for e in exc.value.errors] == [field]
    assert ClinicVisit.objects.count() == 0


def test_a_clinic_is_recorded_after_it_starts_and_only_once(cooks: CookWorld, frozen: Any):
    clinic = _schedule(cooks, cooks.town_a)
    # before the start: refused
    with pytest.raises(Conflict) as exc:
        clinic_record(actor=cooks.manager, clinic_id=clinic.pk, staff="王医生、李护士", elders_seen=12)
    assert exc.value.code == "clinic_not_started"
    # after the start, full-width digits are read
    frozen.move_to("2026-03-05 10:00 +0800")
    done = clinic_record(actor=cooks.manager, clinic_id=clinic.pk, staff="王医生、李护士", elders_seen="１２")
    assert (done.status, done.staff, done.elders_seen) == ("held", "王医生、李护士", 12)
    with pytest.raises(Conflict):
        clinic_record(actor=cooks.manager, clinic_id=clinic.pk, staff="王医生", elders_seen=13)
    clinic.refresh_from_db()
    assert clinic.elders_seen == 12


@pytest.mark.parametrize("seen", [-1, 101, "many", True])
def test_elders_seen_must_be_sane(cooks: CookWorld, frozen: Any, seen: Any):
    clinic = _schedule(cooks, cooks.town_a)
    frozen.move_to("2026-03-05 10:00 +0800")
    with pytest.raises(InvalidInput) as exc:
        clinic_record(actor=cooks.manager, clinic_id=clinic.pk, staff="王医生", elders_seen=seen)
    assert exc.value.errors[0]["field"] == "elders_seen"
    clinic.refresh_from_db()
    assert (clinic.status, clinic.elders_seen) == ("scheduled", None)


@pytest.mark.parametrize(
    ("who", "allowed"), [("anonymous", False), ("town_b", False), ("manager_b", False), ("town_a", True)]
)
def test_cancelling_a_clinic_permission_matrix(cooks: CookWorld, who: str, allowed: bool):
    clinic = _schedule(cooks, cooks.manager)
    if allowed:
        assert clinic_cancel(actor=actor(cooks, who), clinic_id=clinic.pk, reason="医生临时出诊").status == "cancelled"
    else:
        with pytest.raises(NotFound):
            clinic_cancel(actor=actor(cooks, who), clinic_id=clinic.pk, reason="")
        clinic.refresh_from_db()
        assert clinic.status == "scheduled"


def test_the_upcoming_list_of_a_town(cooks: CookWorld):
    a = _schedule(cooks, cooks.town_a)
    _schedule(cooks, cooks.town_b, canteen_id=cooks.other.pk)
    assert [c.pk for c in upcoming_clinics([cooks.tree.town_a])] == [a.pk]
    assert len(upcoming_clinics([cooks.tree.county])) == 2
