"""Adoption links: a leader's terms never overlap (nothing saved when refused), the village lies
in the town, the enterprise is an organisation; ending a link early; the board the county sees,
with each leader's sessions at their links; pages and API with their permission matrix."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from rongxin.conftest import client_for
from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.lectures.models import AdoptionLink, Session, Speaker
from rongxin.lectures.selectors.links import link_board
from rongxin.lectures.services.links import link_create, link_end
from rongxin.lectures.tests.people_helpers import held
from rongxin.lectures.tests.test_speakers import roles, zh

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def adopt(lect: Any, start: str = "2026-01-01", end: str = "2026-12-31", **kw: Any) -> AdoptionLink:
    values: dict[str, Any] = {
        "speaker_id": lect.leader.pk,
        "town_code": lect.tree.town_b.code,
        "village_code": lect.tree.village_b1.code,
        "enterprise_id": lect.enterprise.pk,
        "term_start": D(start),
        "term_end": D(end),
    }
    values.update(kw)
    return link_create(actor=lect.admin, **values)


def test_an_admin_links_a_leader_and_it_is_audited(frozen, lect) -> None:
    link = adopt(lect)
    assert (link.speaker, link.town, link.village, link.enterprise) == (
        lect.leader,
        lect.tree.town_b,
        lect.tree.village_b1,
        lect.enterprise,
    )
    event = AuditEvent.objects.get(action="link.create")
    assert (event.object_type, event.object_id, event.subject_id) == (
        "adoption_link",
        str(link.pk),
        lect.leader.subject_id,
    )


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-12-31", "2027-06-30"),
        ("2025-06-01", "2026-01-01"),
        ("2026-03-01", "2026-04-01"),
        ("2025-01-01", "2027-12-31"),
    ],
)
def test_overlapping_terms_are_refused_with_nothing_saved(frozen, lect, start, end) -> None:
    adopt(lect)
    with pytest.raises(Conflict) as caught:
        adopt(lect, start, end, town_code=lect.tree.town_a.code, village_code=lect.tree.village_a1.code)
    assert caught.value.code == "link_overlap"
    assert str(caught.value.message) == zh(
        "This leader already has an adoption link in this term (%(start)s to %(end)s).",
        start="2026-01-01",
        end="2026-12-31",
    )
    assert AdoptionLink.objects.count() == 1
    assert AuditEvent.objects.filter(action="link.create").count() == 1


def test_a_next_term_after_the_last_day_or_after_ending_early_is_fine(frozen, lect) -> None:
    first = adopt(lect)
    adopt(lect, "2027-01-01", "2027-12-31")
    link_end(actor=lect.admin, link_id=first.pk, on=D("2026-07-01"), reason="工作调整")
    # the first link's last day is now Jun 30: a link from Jul 1 to Dec 31 fits between
    adopt(lect, "2026-07-01", "2026-12-31", town_code=lect.tree.town_a.code, village_code=lect.tree.village_a2.code)
    assert AdoptionLink.objects.filter(speaker=lect.leader).count() == 3
    with pytest.raises(Conflict) as caught:
        link_end(actor=lect.admin, link_id=first.pk, on=D("2026-08-01"), reason="再次")
    assert caught.value.code == "link_ended"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"village_code": "371082001001"}, "village_code", "village_outside_town"),  # a village of town A
        ({"town_code": "371082001001"}, "town_code", "wrong_region_level"),
        ({"village_code": "371082101000"}, "village_code", "wrong_region_level"),
        ({"town_code": "999999999999"}, "town_code", "unknown_region"),
        ({"enterprise_id": "person"}, "enterprise_id", "invalid"),
        ({"enterprise_id": 10**6}, "enterprise_id", "not_an_enterprise"),
        ({"speaker_id": "head"}, "speaker_id", "not_a_leader"),
        ({"speaker_id": 10**6}, "speaker_id", "not_a_leader"),
        ({"speaker_id": "٣"}, "speaker_id", "invalid"),
        ({"term_end": D("2026-01-01")}, "term_end", "term_order"),
        ({"term_end": D("2040-01-01")}, "term_end", "term_too_long"),
        ({"term_start": "2026-01-01"}, "term_start", "required"),
    ],
)
def test_bad_link_input_is_refused_with_nothing_saved(frozen, lect, overrides, field, code) -> None:
    if overrides.get("enterprise_id") == "person":
        overrides = {"enterprise_id": lect.head.subject_id}
        code = "not_an_enterprise"
    if overrides.get("speaker_id") == "head":
        overrides = {"speaker_id": lect.head.pk}
    with pytest.raises(InvalidInput) as caught:
        adopt(lect, **overrides)
    assert (caught.value.code, caught.value.errors[0]["field"]) == (code, field)
    assert AdoptionLink.objects.count() == 0


def test_only_admins_link_and_end(frozen, lect) -> None:
    link = adopt(lect)
    for user in (lect.town_a, lect.auditor, lect.leader_user, lect.village_b1):
        with pytest.raises(NotFound):
            link_create(
                actor=user, speaker_id=lect.leader.pk, town_code=lect.tree.town_b.code,
                village_code=lect.tree.village_b1.code, enterprise_id=lect.enterprise.pk,
                term_start=D("2027-01-01"), term_end=D("2027-12-31"),
            )  # fmt: skip
        with pytest.raises(NotFound):
            link_end(actor=user, link_id=link.pk, on=D("2026-06-01"), reason="x")
    assert AdoptionLink.objects.count() == 1
    assert AdoptionLink.objects.get().ended_at is None


def test_ending_checks_the_day_and_the_reason(frozen, lect) -> None:
    link = adopt(lect)
    for on, reason, code in (
        (D("2026-01-01"), "x", "end_outside_term"),
        (D("2027-01-01"), "x", "end_outside_term"),
        (D("2026-06-01"), " ", "required"),
        (D("2026-06-01"), "x\x1b", "invalid_text"),
    ):
        with pytest.raises(InvalidInput) as caught:
            link_end(actor=lect.admin, link_id=link.pk, on=on, reason=reason)
        assert caught.value.code == code
    assert AdoptionLink.objects.get().ended_at is None
    with pytest.raises(NotFound):
        link_end(actor=lect.admin, link_id=10**6, on=D("2026-06-01"), reason="x")


def test_the_board_shows_who_has_a_leader_and_the_sessions_at_the_links(frozen, lect) -> None:
    # given: the leader adopts town B, village B1 and the enterprise; a second leader, no link
    tree = lect.tree
    adopt(lect)
    Speaker.objects.create(kind="leader", name="张县长", area=tree.county, created_at=lect.leader.created_at)
    at_link = held(lect.leader, "2026-02-10 09:00", region=tree.village_b1, at_link=True, title="联系点宣讲")
    held(lect.leader, "2026-02-12 09:00", region=tree.village_a1, title="别处")
    held(lect.leader, "2026-02-13 09:00", region=tree.village_b1, at_link=True, status=Session.Status.CANCELLED)
    held(lect.leader, "2025-12-10 09:00", region=tree.village_b1, at_link=True, title="任期前")
    # when
    board = link_board(actor=lect.auditor, on=D("2026-03-01"))
    # then
    assert [(row.link.speaker.name, row.sessions) for row in board.links] == [("李副市长", [at_link])]
    assert (board.towns_with, board.towns_without) == ([tree.town_b], [tree.town_a])
    assert board.villages_with == [tree.village_b1]
    assert board.villages_without == [tree.village_a1, tree.village_a2, tree.village_b2]
    assert board.enterprises == [(lect.enterprise.pk, lect.enterprise.name)]
    assert [s.name for s in board.leaders_without] == ["张县长"]
    # a town officer sees their town's part; a day outside the term shows no link
    town_a = link_board(actor=lect.town_a, on=D("2026-03-01"))
    assert (town_a.links, town_a.towns_without, town_a.villages_with) == ([], [tree.town_a], [])
    assert link_board(actor=lect.admin, on=D("2027-01-01")).links == []
    for user in (lect.village_a1, lect.leader_user, lect.head_user, lect.team_leader, None):
        with pytest.raises(NotFound):
            link_board(actor=user, on=D("2026-03-01"))


# --- Pages and API ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "board", "new"),
    [
        ("anonymous", 302, 302),
        ("admin", 200, 200),
        ("auditor", 200, 404),
        ("town_a", 200, 404),
        ("town_b", 200, 404),
        ("village_a1", 404, 404),
        ("team_leader", 404, 404),
        ("head", 404, 404),
        ("leader", 404, 404),
    ],
)
def test_link_pages_permission_matrix(frozen, lect, role, board, new) -> None:
    client = client_for(roles(lect)[role])
    assert client.get("/lectures/links/").status_code == board
    assert client.get("/lectures/links/new/").status_code == new
    link = adopt(lect)
    if role != "admin":
        ended = client.post(f"/lectures/links/{link.pk}/end/", {"on": "2026-06-01", "reason": "调整"})
        assert ended.status_code == (302 if role == "anonymous" else 404)
        assert AdoptionLink.objects.get().ended_at is None


def test_an_admin_links_and_ends_through_the_pages(frozen, lect) -> None:
    client = client_for(lect.admin)
    form = {
        "speaker_id": lect.leader.pk, "town_code": lect.tree.town_b.code, "village_code": lect.tree.village_a1.code,
        "enterprise_id": lect.enterprise.pk, "term_start": "2026-01-01", "term_end": "2026-12-31",
    }  # fmt: skip
    outside = client.post("/lectures/links/new/", form)
    assert outside.status_code == 422
    assert (
        zh(
            "%(village)s is not in %(town)s; choose a village or community of that town.",
            village="东山社区",
            town="俚岛镇",
        )
        in outside.content.decode()
    )
    assert AdoptionLink.objects.count() == 0
    form["village_code"] = lect.tree.village_b1.code
    assert client.post("/lectures/links/new/", form).status_code == 302
    again = client.post("/lectures/links/new/", form)  # a double submit
    assert again.status_code == 409
    assert AdoptionLink.objects.count() == 1
    page = client.get("/lectures/links/?on=2026-03-01").content.decode()
    assert "李副市长" in page
    assert "烟墩角村" in page
    link = AdoptionLink.objects.get()
    assert client.post(f"/lectures/links/{link.pk}/end/", {"on": "2026-06-01", "reason": "工作调整"}).status_code == 302
    link.refresh_from_db()
    assert (link.ended_at, link.end_reason) == (D("2026-06-01"), "工作调整")


def api(user: Any, method: str, path: str, body: Any = None) -> Any:
    kwargs: dict[str, Any] = {} if body is None else {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client_for(user), method)(f"/api/v1/lectures{path}", **kwargs)


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        ("anonymous", 401, 401),
        ("admin", 200, 201),
        ("auditor", 200, 404),
        ("town_a", 200, 404),
        ("village_a1", 404, 404),
        ("head", 404, 404),
        ("leader", 404, 404),
    ],
)
def test_link_api_permission_matrix(frozen, lect, role, read, write) -> None:
    user = roles(lect)[role]
    body = {
        "speaker_id": lect.leader.pk, "town_code": lect.tree.town_b.code, "village_code": lect.tree.village_b1.code,
        "enterprise_id": lect.enterprise.pk, "term_start": "2026-01-01", "term_end": "2026-12-31",
    }  # fmt: skip
    created = api(user, "post", "/links", body)
    assert created.status_code == write
    assert AdoptionLink.objects.count() == (1 if write == 201 else 0)
    board = api(user, "get", "/links?on=2026-03-01")
    assert board.status_code == read
    if read == 200:
        links = [(row["speaker_name"], row["village"]["code"]) for row in board.json()["links"]]
        assert links == ([("李副市长", lect.tree.village_b1.code)] if write == 201 and role != "town_a" else [])
    if write == 201:
        link_id = created.json()["id"]
        assert api(user, "post", f"/links/{link_id}/end", {"on": "2026-06-01", "reason": "调整"}).status_code == 200
        assert api(user, "post", "/links", body).status_code == 409


def test_link_api_end_is_gated_before_the_body_is_read(frozen, lect) -> None:
    link = adopt(lect)
    assert api(lect.town_a, "post", f"/links/{link.pk}/end", {}).status_code == 404
    assert api(lect.admin, "post", "/links/999999/end", {}).status_code == 404
    assert api(lect.admin, "post", f"/links/{link.pk}/end", {}).status_code == 422
    bad = api(lect.admin, "post", "/links", {"speaker_id": lect.leader.pk})
    assert bad.status_code == 422
