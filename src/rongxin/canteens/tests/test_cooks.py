"""Health certificates and food-safety trainings: who may record them, and what is refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rongxin.canteens.models import HealthCertificate, Training
from rongxin.canteens.services.cooks import health_certificate_record, training_record
from rongxin.canteens.tests import cooks_helpers
from rongxin.canteens.tests.cooks_helpers import CookWorld, actor
from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent

cooks = cooks_helpers.cooks  # a fixture
frozen = cooks_helpers.frozen  # a fixture


def _cert(world: CookWorld, who: object, **overrides: object) -> HealthCertificate:
    args: dict[str, object] = {
        "canteen_id": world.canteen.pk,
        "volunteer_number": world.cook.number,
        "number": "JK2026-0001",
        "issuer": "荣成市疾控中心",
        "issued_on": dt.date(2026, 2, 1),
        "expires_on": dt.date(2027, 1, 31),
    }
    args.update(overrides)
    return health_certificate_record(actor=who, **args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("resident", False),
        ("auditor", False),
        ("town_a", False),  # oversees the canteen, but cooks are the village's
        ("admin", False),
        ("village_b_officer", False),  # right role, wrong village
        ("manager_b", False),
        ("village_officer", True),
        ("manager", True),
        ("plain_manager", True),  # recording certificates needs no team role
    ],
)
def test_recording_a_certificate_permission_matrix(cooks: CookWorld, who: str, allowed: bool):
    # given a cook of the canteen in village A1 and no certificate
    user = actor(cooks, who)
    # when someone records a certificate for them
    if allowed:
        cert = _cert(cooks, user)
        # then it is recorded, with an audit row
        assert (cert.volunteer_id, cert.number, cert.expires_on) == (cooks.cook.pk, "JK2026-0001", dt.date(2027, 1, 31))
        assert AuditEvent.objects.filter(action="canteen_cook.certificate", object_id=str(cert.pk)).count() == 1
    else:
        with pytest.raises(NotFound):
            _cert(cooks, user, issued_on="nonsense")  # invalid input does not tell an outsider anything
        # then nothing changed
        assert HealthCertificate.objects.count() == 0
        assert AuditEvent.objects.filter(action="canteen_cook.certificate").count() == 0


def test_full_width_numbers_and_dates_are_folded_to_ascii(cooks: CookWorld):
    # when the number, the cook's volunteer number and the dates are typed in full-width digits
    cert = _cert(
        cooks,
        cooks.manager,
        number="ｊｋ２０２６－０００２",
        volunteer_number=cooks.cook.number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789RX"}),
        issued_on="２０２６-０２-０１",
        expires_on="２０２７-０１-３１",
    )
    # then they are stored in ASCII
    cert.refresh_from_db()
    assert (cert.number, cert.issued_on, cert.expires_on) == ("JK2026-0002", dt.date(2026, 2, 1), dt.date(2027, 1, 31))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"expires_on": dt.date(2026, 2, 1)}, "expires_on", "有效期截止日期必须晚于发证日期。"),
        ({"expires_on": dt.date(2026, 1, 1)}, "expires_on", "有效期截止日期必须晚于发证日期。"),
        ({"issued_on": dt.date(2026, 3, 3)}, "issued_on", "日期不能在将来。"),
        ({"issued_on": dt.date(2015, 1, 1), "expires_on": dt.date(2016, 1, 1)}, "issued_on", "日期早于 10 年前。"),
        ({"expires_on": dt.date(2035, 1, 1)}, "expires_on", "健康证有效期最长 5 年，请核对有效期截止日期。"),
        ({"number": "JK\x002026"}, "number", "内容中有不可见的控制字符，请删除后重试。"),
        ({"number": "健康证一号"}, "number", "证号只能由字母、数字和连字符组成。"),
        ({"issuer": "疾控\x07中心"}, "issuer", "内容中有不可见的控制字符，请删除后重试。"),
        ({"issuer": "疾" * 101}, "issuer", "不能超过 100 个字符。"),
        ({"issued_on": "2026/02/01"}, "issued_on", "请按 YYYY-MM-DD 格式输入日期。"),
        (
            {"volunteer_number": "RX0000000000"},
            "volunteer_number",
            "本食堂没有持此志愿者编号的厨师；请先让其加入食堂的志愿服务队。",
        ),
    ],
)
def test_bad_certificates_are_refused_with_a_clear_message(
    cooks: CookWorld, overrides: dict[str, object], field: str, message: str
):
    # when village staff record a certificate with one thing wrong
    with pytest.raises(InvalidInput) as exc:
        _cert(cooks, cooks.manager, **overrides)
    # then the field is named in Chinese and nothing is saved
    assert exc.value.errors == [{"field": field, "message": message, "code": exc.value.errors[0]["code"]}]
    assert HealthCertificate.objects.count() == 0


def test_a_volunteer_on_no_team_of_the_canteen_is_not_a_cook(cooks: CookWorld):
    # when the manager records a certificate for a volunteer who is not on the cook team
    with pytest.raises(InvalidInput) as exc:
        _cert(cooks, cooks.manager, volunteer_number=cooks.stranger.number)
    # then it is refused
    assert exc.value.code == "not_a_cook"
    assert HealthCertificate.objects.count() == 0


def test_the_same_certificate_twice_is_a_conflict(cooks: CookWorld):
    # given a recorded certificate
    _cert(cooks, cooks.manager)
    # when it is sent again (a double submit)
    with pytest.raises(Conflict) as exc:
        _cert(cooks, cooks.manager, number="jk2026-0001")
    # then only one is kept
    assert exc.value.code == "duplicate_certificate"
    assert HealthCertificate.objects.count() == 1


def test_recording_a_training(cooks: CookWorld):
    # when the village officer records a training with full-width hours
    t = training_record(
        actor=cooks.village_officer,
        canteen_id=cooks.canteen.pk,
        volunteer_number=cooks.cook.number,
        course="食品安全基础",
        provider="荣成市市场监督管理局",
        on="2026-02-20",
        hours="２.５",
    )
    # then it is kept with exact hours
    t.refresh_from_db()
    assert (t.volunteer_id, t.course, t.on, t.hours) == (
        cooks.cook.pk,
        "食品安全基础",
        dt.date(2026, 2, 20),
        Decimal("2.5"),
    )
    # and the same course on the same day again is a conflict
    with pytest.raises(Conflict):
        training_record(
            actor=cooks.village_officer,
            canteen_id=cooks.canteen.pk,
            volunteer_number=cooks.cook.number,
            course="食品安全基础",
            provider="荣成市市场监督管理局",
            on="2026-02-20",
            hours="2.5",
        )
    assert Training.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("anonymous", False), ("resident", False), ("town_a", False), ("manager_b", False), ("manager", True)],
)
def test_recording_a_training_permission_matrix(cooks: CookWorld, who: str, allowed: bool):
    def record() -> Training:
        return training_record(
            actor=actor(cooks, who),
            canteen_id=cooks.canteen.pk,
            volunteer_number=cooks.cook.number,
            course="食品安全基础",
            provider="市场监管局",
            on="2026-02-20",
            hours="2",
        )

    if allowed:
        assert record().hours == Decimal("2.0")
    else:
        with pytest.raises(NotFound):
            record()
        assert Training.objects.count() == 0


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("0", "学时须大于 0 且不超过 99.9。"),
        ("100", "学时须大于 0 且不超过 99.9。"),
        ("two", "请填写数字。"),
        ("NaN", "请填写数字。"),
    ],
)
def test_bad_training_hours_are_refused(cooks: CookWorld, hours: str, message: str):
    with pytest.raises(InvalidInput) as exc:
        training_record(
            actor=cooks.manager,
            canteen_id=cooks.canteen.pk,
            volunteer_number=cooks.cook.number,
            course="食品安全基础",
            provider="市场监管局",
            on="2026-02-20",
            hours=hours,
        )
    assert [e["message"] for e in exc.value.errors] == [message]
    assert Training.objects.count() == 0
