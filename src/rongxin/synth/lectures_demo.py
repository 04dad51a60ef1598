"""The demo's lectures: the sayings book published, the ``lecturer`` account speaking as a head
of the demo town with the bimonthly quota, the town's branded lecture team, one accepted order
from the demo village and, for it, a session starting within the hour (in the daytime) so the
check-in code can be tried at once.

Rows whose services live in other parts of lectures are written with the ORM (orders change
state only through :func:`rongxin.lectures.services.order_events.order_transition_append`).
Idempotent: what exists (and is still upcoming) is kept.
"""

from __future__ import annotations

import datetime as dt

from rongxin.accounts.models import User
from rongxin.core import clock, rotating
from rongxin.lectures.models import Order, Session, SessionSaying, SessionSpeaker, Speaker, TeamBrand
from rongxin.lectures.selectors.common import current_book
from rongxin.lectures.services.order_events import order_transition_append
from rongxin.regions.models import PracticeSite, Region
from rongxin.subjects.models import Subject, SubjectAccount
from rongxin.subjects.services import subject_account_link
from rongxin.synth.lectures_book import book_data, book_publish_rows
from rongxin.volunteering.models import Team
from rongxin.volunteering.services import team_create

SESSION_TITLE = "{village}文明新风宣讲（演示）"
ORDER_TOPIC = "诚实守信主题宣讲（演示）"


def _head_speaker(*, lecturer: User, town: Region, village: Region) -> Speaker:
    """The head the ``lecturer`` account speaks as: theirs already, else a synthetic town head
    without an account, else a new head of the town with the quota from this year on."""
    mine = Speaker.objects.filter(user=lecturer).first()
    if mine is not None:
        return mine
    head = (
        Speaker.objects.filter(kind=Speaker.Kind.HEAD, area=town, user__isnull=True, quota_since__isnull=False)
        .exclude(subject__account_links__isnull=False)  # nobody else's credit file
        .order_by("id")
        .first()
    )
    now = clock.now()
    if head is None:
        head = Speaker.objects.create(
            kind=Speaker.Kind.HEAD,
            name="孙老师",
            position=f"{town.name}宣传委员",
            area=town,
            topics=["诚实守信", "邻里和睦"],
            quota_since=dt.date(clock.today_local().year, 1, 1),
            created_at=now,
        )
    head.user = lecturer
    if head.subject_id is None:
        head.subject = (
            Subject.objects.filter(village=village, kind=Subject.Kind.PERSON, person__consent_given=True)
            .exclude(account_links__isnull=False)
            .exclude(speaker__isnull=False)
            .order_by("-id")
            .first()
        )
    head.save(update_fields=["user", "subject"])
    if head.subject is not None and not SubjectAccount.objects.filter(subject=head.subject).exists():
        subject_account_link(actor=None, user=lecturer, subject=head.subject, relation=SubjectAccount.Relation.SELF)
    return head


def _lecture_team(*, town_officer: User, town: Region) -> Team:
    """The town's lecture team with a brand (the synthetic one when there is one)."""
    team = Team.objects.filter(kind=Team.Kind.LECTURE, region=town, lecture_brand__isnull=False).order_by("id").first()
    if team is not None:
        return team
    team = Team.objects.filter(kind=Team.Kind.LECTURE, region=town).order_by("id").first() or team_create(
        actor=town_officer,
        name=f"{town.name}“百姓名嘴”宣讲队",
        tier=Team.Tier.TOWN_VILLAGE,
        kind=Team.Kind.LECTURE,
        region_code=town.code,
    )
    TeamBrand.objects.get_or_create(
        team=team, defaults={"brand": "百姓名嘴", "audience": "村民", "created_at": clock.now()}
    )
    return team


def stage_lectures(
    *, users: dict[str, User], town: Region, village: Region, starts: dt.datetime
) -> tuple[Speaker, Team, Session]:
    """Stage the demo's lectures (see the module docstring); ``starts`` is when the demo session
    begins. Returns the lecturer's head speaker, the lecture team and the upcoming session."""
    now = clock.now()
    book = current_book()
    if book is None:
        book, _sayings = book_publish_rows(data=book_data(), published_at=now - dt.timedelta(days=1))
    saying = book.sayings.order_by("number").first()
    head = _head_speaker(lecturer=users["lecturer"], town=town, village=village)
    team = _lecture_team(town_officer=users["town_officer"], town=town)
    title = SESSION_TITLE.format(village=village.name)
    session = (
        Session.objects.filter(title=title, region=village, status=Session.Status.PLANNED, ends_at__gt=now)
        .order_by("starts_at")
        .first()
    )
    if session is not None:
        return head, team, session
    orderer = users["village_officer"]
    order = Order.objects.create(
        region=village,
        orderer_kind=Order.Orderer.COMMUNITY if village.name.endswith("社区") else Order.Orderer.VILLAGE,
        orderer_name=f"{village.name}{'居民委员会' if village.name.endswith('社区') else '村民委员会'}",
        ordered_by=orderer,
        ordered_at=now - dt.timedelta(days=3),
        topic=ORDER_TOPIC,
        saying=saying,
        preferred_from=starts.astimezone(clock.LOCAL_TZ).date(),
        preferred_to=starts.astimezone(clock.LOCAL_TZ).date() + dt.timedelta(days=7),
        audience="村民",
        audience_size=40,
        place=f"{village.name}新时代文明实践站",
        state="",
        dispatch_by=now,
    )
    order_transition_append(order=order, action="create", actor=orderer, at=now - dt.timedelta(days=3))
    order.team, order.answer_by = team, now + dt.timedelta(days=1)
    order_transition_append(
        order=order,
        action="dispatch",
        actor=users["publicity"],
        at=now - dt.timedelta(days=2),
        update_fields=("team", "answer_by"),
    )
    order_transition_append(order=order, action="accept", actor=users["lecturer"], at=now - dt.timedelta(days=1))
    site = PracticeSite.objects.filter(region=village).first()
    session = Session.objects.create(
        title=title,
        team=team,
        order=order,
        region=village,
        town=town,
        place_kind=Session.PlaceKind.SITE if site is not None else Session.PlaceKind.OTHER,
        site=site,
        place=site.name if site is not None else f"{village.name}新时代文明实践站",
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=90),
        qr_secret=rotating.new_secret(),
        created_at=now,
        created_by=users["lecturer"],
    )
    SessionSpeaker.objects.create(session=session, speaker=head)
    if saying is not None:
        SessionSaying.objects.create(session=session, saying=saying, saying_key=saying.key)
    return head, team, session
