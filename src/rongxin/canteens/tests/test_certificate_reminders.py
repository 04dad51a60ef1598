"""The certificate clock at its boundary: 31 days before expiry nothing, 30 days one notice to
the cook and one to the manager, a second run nothing more."""

from __future__ import annotations

from typing import Any

from rongxin.canteens.services.cooks import certificate_reminders_send
from rongxin.canteens.tasks.certificates import certificate_reminders
from rongxin.canteens.tests import cooks_helpers
from rongxin.canteens.tests.cooks_helpers import CookWorld, certificate
from rongxin.subjects.models import Notice

cooks = cooks_helpers.cooks  # a fixture
frozen = cooks_helpers.frozen  # a fixture


def _notices() -> list[tuple[int, str]]:
    return sorted(Notice.objects.filter(kind__startswith="canteens.").values_list("subject_id", "kind"))


def test_the_notice_goes_30_days_before_expiry_once(cooks: CookWorld, frozen: Any):
    # given a certificate expiring on 2026-04-02 (31 days after 2026-03-02)
    cert = certificate(cooks.cook, number="A1", issued="2025-04-03", expires="2026-04-02")
    # when the job runs 31 days before
    assert certificate_reminders() == "reminded 0 health certificates"
    # then nothing is sent
    assert _notices() == []
    # when it runs 30 days before
    frozen.move_to("2026-03-03 08:00 +0800")
    assert certificate_reminders() == "reminded 1 health certificates"
    # then one notice to the cook and one to the manager's own file
    assert _notices() == sorted(
        [
            (cooks.cook.pk, "canteens.certificate_expiring"),
            (cooks.manager_subject.pk, "canteens.cook_certificate_expiring"),
        ]
    )
    cert.refresh_from_db()
    assert cert.reminded_at is not None
    assert (
        Notice.objects.get(kind="canteens.certificate_expiring").title
        == "您的健康证将于 2026-04-02 到期；请及时换证，以免无法排班。"
    )
    # when it runs again
    assert certificate_reminders_send() == 0
    # then nothing more is sent
    assert len(_notices()) == 2


def test_an_older_certificate_replaced_by_a_newer_one_is_not_reminded(cooks: CookWorld):
    certificate(cooks.cook, number="OLD", issued="2025-03-10", expires="2026-03-10")
    certificate(cooks.cook, number="NEW", issued="2026-03-01", expires="2027-02-28")
    assert certificate_reminders_send() == 0
    assert _notices() == []


def test_a_volunteer_on_no_canteen_team_gets_no_notice(cooks: CookWorld):
    certificate(cooks.stranger, number="S1", issued="2025-03-10", expires="2026-03-10")
    assert certificate_reminders_send() == 0
    assert _notices() == []
