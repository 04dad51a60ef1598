"""JSON endpoints of the charity ceremony, the figures and the sponsors' roll (the pages call the
same services and selectors):

- ``GET /projects/ceremonies``, ``GET /projects/ceremonies/{year}``: public;
- ``GET /projects/ceremonies/{year}/live``: what the big screen shows (public);
- ``POST /projects/ceremonies``, ``PATCH /projects/ceremonies/{year}``,
  ``POST /projects/ceremonies/{year}/projects`` (attach or detach),
  ``POST /projects/ceremonies/{year}/launch``: the county centre only (404 for anyone else,
  asked before the body is read);
- ``GET /projects/figures``, ``GET /projects/sponsors``: public.
"""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from rongxin.accounts.api.auth import gated
from rongxin.accounts.permissions import SignedInRequest
from rongxin.core.errors import NotFound
from rongxin.projects.api.ceremony_schemas import (
    CeremonyBatchIn,
    CeremonyBatchOut,
    CeremonyBoardRowOut,
    CeremonyClaimOut,
    CeremonyIn,
    CeremonyLaunchOut,
    CeremonyLiveOut,
    CeremonyOut,
    CeremonyPatchIn,
    ProjectFiguresOut,
    ProjectFiguresQuery,
    ProjectFiguresRowOut,
    ProjectSponsorRowOut,
    ProjectSponsorsAnonymousOut,
    ProjectSponsorsOut,
    ProjectSponsorsQuery,
)
from rongxin.projects.models import Ceremony
from rongxin.projects.permissions.common import is_centre
from rongxin.projects.selectors.ceremony import ceremony_get, ceremony_list, ceremony_live
from rongxin.projects.selectors.figures import FigureRow, projects_figures, sponsors_roll
from rongxin.projects.services.ceremonies import ceremony_attach, ceremony_create, ceremony_launch, ceremony_update

router = Router(tags=["projects"])


def centre(user: object, **_path: object) -> None:
    if not is_centre(user):  # type: ignore[arg-type]
        raise NotFound()


def ceremony_out(c: Ceremony, projects: int) -> CeremonyOut:
    return CeremonyOut(
        year=c.year,
        title=c.title,
        venue=c.venue,
        starts_at=c.starts_at,
        ends_at=c.ends_at,
        launched_at=c.launched_at,
        projects=projects,
    )


def _one(year: int) -> CeremonyOut:
    c = Ceremony.objects.annotate(batch=Count("projects")).filter(year=year).first()
    if c is None:
        raise NotFound()
    return ceremony_out(c, c.batch)  # type: ignore[attr-defined]


@router.get("/ceremonies", response=list[CeremonyOut], auth=None, operation_id="projects_ceremonies")
def ceremonies(request: HttpRequest) -> list[CeremonyOut]:
    """Every charity ceremony, newest year first, with the size of its batch."""
    return [ceremony_out(c, c.batch) for c in ceremony_list()]  # type: ignore[attr-defined]


@router.get("/ceremonies/{int:year}", response=CeremonyOut, auth=None, operation_id="projects_ceremony")
def ceremony(request: HttpRequest, year: int) -> CeremonyOut:
    """One year's ceremony."""
    return _one(year)


@router.get("/ceremonies/{int:year}/live", response=CeremonyLiveOut, auth=None, operation_id="projects_ceremony_live")
def live(request: HttpRequest, response: HttpResponse, year: int) -> CeremonyLiveOut:
    """What the ceremony's big screen shows: the batch's public projects, how many are claimed in
    full, the pledges made during the ceremony (count, pledged, paid so far), the latest ten
    claims (anonymous sponsors as 爱心人士（匿名）). Not cached."""
    c = ceremony_get(year=year)
    x = ceremony_live(ceremony=c)
    response["Cache-Control"] = "no-store"
    return CeremonyLiveOut(
        year=c.year,
        title=c.title,
        launched=x.launched,
        claimed=x.claimed,
        pledges=x.pledges,
        pledged=x.pledged,
        paid=x.paid,
        latest=[
            CeremonyClaimOut(
                sponsor=y.sponsor, project_id=y.project_id, project=y.project, amount=y.amount, at=y.at, title=y.title
            )
            for y in x.latest
        ],
        board=[
            CeremonyBoardRowOut(
                id=r.id,
                number=r.number,
                title=r.title,
                budget=r.budget,
                pledged=r.pledged,
                claimed=r.claimed,
                state=r.state,
            )
            for r in x.board
        ],
    )


@router.post("/ceremonies", response={201: CeremonyOut}, operation_id="projects_ceremony_create", auth=gated(centre))
def create(request: SignedInRequest, payload: CeremonyIn) -> Status[CeremonyOut]:
    """Set up the year's ceremony (the county centre; 409 ``duplicate_ceremony``; 422
    ``in_the_past``, ``wrong_year``, ``ends_before_start``, ``too_long``)."""
    c = ceremony_create(actor=request.user, **payload.dict())
    return Status(201, ceremony_out(c, 0))


@router.patch(
    "/ceremonies/{int:year}", response=CeremonyOut, operation_id="projects_ceremony_update", auth=gated(centre)
)
def update(request: SignedInRequest, year: int, payload: CeremonyPatchIn) -> CeremonyOut:
    """Change the ceremony's title, venue or time before it starts (409 ``started``)."""
    ceremony_update(actor=request.user, year=year, **payload.dict(exclude_unset=True))
    return _one(year)


@router.post(
    "/ceremonies/{int:year}/projects",
    response=CeremonyBatchOut,
    operation_id="projects_ceremony_attach",
    auth=gated(centre),
)
def attach(request: SignedInRequest, year: int, payload: CeremonyBatchIn) -> CeremonyBatchOut:
    """Put draft or published projects into the batch (``attach``: true) or take them out, before
    the ceremony starts; all or nothing (409 ``started``, ``not_attachable``, ``other_ceremony``,
    ``not_in_batch``; 404 for an unknown project)."""
    n = ceremony_attach(actor=request.user, year=year, project_ids=payload.project_ids, attach=payload.attach)
    return CeremonyBatchOut(changed=n)


@router.post(
    "/ceremonies/{int:year}/launch",
    response=CeremonyLaunchOut,
    operation_id="projects_ceremony_launch",
    auth=gated(centre),
)
def launch(request: SignedInRequest, year: int) -> CeremonyLaunchOut:
    """Launch the ceremony now: publish its batch's drafts. A second call publishes nothing."""
    n = ceremony_launch(actor=request.user, year=year)
    return CeremonyLaunchOut(published=n, ceremony=_one(year))


def _row(r: FigureRow) -> ProjectFiguresRowOut:
    return ProjectFiguresRowOut(
        key=r.key,
        label=r.label,
        published=r.published,
        claimed=r.claimed,
        completed=r.completed,
        raised=r.raised,
        spent=r.spent,
    )


@router.get("/figures", response=ProjectFiguresOut, auth=None, operation_id="projects_figures")
def figures(request: HttpRequest, filters: Query[ProjectFiguresQuery]) -> ProjectFiguresOut:
    """Projects published, claimed and completed, money raised and spent, per year, per town
    (``key`` is the region code) and per category, with the same filters on each table (422
    ``unknown_town``, ``unknown_category``)."""
    f = projects_figures(year=filters.year, town_code=filters.town, category=filters.category)
    return ProjectFiguresOut(
        year=f.year,
        town=f.town_code,
        category=f.category,
        by_year=[_row(r) for r in f.by_year],
        by_town=[_row(r) for r in f.by_town],
        by_category=[_row(r) for r in f.by_category],
        total=_row(f.total),
    )


@router.get("/sponsors", response=ProjectSponsorsOut, auth=None, operation_id="projects_sponsors")
def sponsors(request: HttpRequest, filters: Query[ProjectSponsorsQuery]) -> ProjectSponsorsOut:
    """The sponsors' roll: the named sponsors ranked by what they paid, with their projects and
    title sponsorships; every anonymous pledge in one line without a name."""
    roll = sponsors_roll(
        year=filters.year,
        town_code=filters.town,
        category=filters.category,
        offset=filters.offset,
        limit=filters.limit,
    )
    a = roll.anonymous
    return ProjectSponsorsOut(
        total=roll.total,
        offset=roll.offset,
        limit=roll.limit,
        items=[
            ProjectSponsorRowOut(
                rank=r.rank,
                name=r.name,
                kind=r.kind,
                pledged=r.pledged,
                paid=r.paid,
                projects=r.projects,
                titles=r.titles,
            )
            for r in roll.rows
        ],
        anonymous=ProjectSponsorsAnonymousOut(
            name=a.name, pledges=a.pledges, projects=a.projects, pledged=a.pledged, paid=a.paid
        ),
    )
