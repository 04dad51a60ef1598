"""Who publishes, sponsors, carries out and reads projects and small wishes.

- **Publishers** (发布方) run a project from draft to close:
  - the county centre: a ``department_recorder`` of the ``civilization_office`` over the county (the
    county fund keeper, who also keeps the project marketplace fund and records payments);
  - a town's institute: a town officer of the town (they also run their villages' station projects);
  - a village's station: a village officer of the village;
  - a department: a ``department_recorder`` of that department.
  The county centre oversees every project.
- **Sponsors** claim (认领) projects and small wishes for a subject they speak for: a resident for
  themselves (with their linked file), an enterprise representative for their enterprise.
- **Team leaders** of a volunteer team apply for a project for their team; the picked team's leaders
  link their activities, report milestones and say the work is done.
- **Residents** post their own small wishes and confirm receipt; a village officer does both for a
  resident of the village.
- **Auditors** read everything; they change nothing.
- **Everyone** reads the public catalogue, a published project's page (money, sponsors unless
  anonymous, reports), the small wishes (masked name, village only), the ceremony screen and the
  figures.

Missing and forbidden look the same (:class:`~rongxin.core.errors.NotFound`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Grant, User
from rongxin.accounts.permissions import grant_covering, grants_with_roles
from rongxin.core.errors import NotFound
from rongxin.projects.domain import states
from rongxin.projects.models import Project, Wish
from rongxin.regions.models import Region
from rongxin.subjects.models import Subject, SubjectAccount

CENTRE_DEPARTMENT = "civilization_office"
# The department whose rules credit sponsors (P-PRJ-01 / E-PRJ-01) and wish-fulfillers (P-WSH-01 / E-WSH-01).
CREDIT_DEPARTMENT = "civilization_office"
PERSON_SPONSOR_RULE = "P-PRJ-01"
ORGANISATION_SPONSOR_RULE = "E-PRJ-01"
PERSON_WISH_RULE = "P-WSH-01"
ORGANISATION_WISH_RULE = "E-WSH-01"


def signed_in(actor: User | AnonymousUser | None) -> TypeGuard[User]:
    return actor is not None and actor.is_authenticated


# --- Publishers ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PublisherSeat:
    """One way the actor may publish: as whom (``Project.Publisher``), for which region, under which
    grant (and department, for a department)."""

    publisher: str
    region: Region
    grant: Grant
    department_id: int | None = None


def centre_grants(actor: User | AnonymousUser | None) -> list[Grant]:
    return [
        g
        for g in grants_with_roles(actor, [Role.DEPARTMENT_RECORDER])
        if g.department is not None and g.department.code == CENTRE_DEPARTMENT and g.region.level == Region.Level.COUNTY
    ]


def is_centre(actor: User | AnonymousUser | None) -> bool:
    return bool(centre_grants(actor))


def is_auditor(actor: User | AnonymousUser | None) -> bool:
    return bool(grants_with_roles(actor, [Role.AUDITOR]))


def publisher_seats(actor: User | AnonymousUser | None) -> list[PublisherSeat]:
    """Every way the actor may publish a project (the county centre first)."""
    if not signed_in(actor):
        return []
    seats: list[PublisherSeat] = []
    for g in grants_with_roles(actor, [Role.DEPARTMENT_RECORDER]):
        if g.department is None:
            continue
        if g.department.code == CENTRE_DEPARTMENT and g.region.level == Region.Level.COUNTY:
            seats.insert(0, PublisherSeat(Project.Publisher.CENTRE, g.region, g))
        else:
            seats.append(PublisherSeat(Project.Publisher.DEPARTMENT, g.region, g, g.department_id))
    for g in grants_with_roles(actor, [Role.TOWN_OFFICER]):
        if g.region.level == Region.Level.TOWN:
            seats.append(PublisherSeat(Project.Publisher.INSTITUTE, g.region, g))
    for g in grants_with_roles(actor, [Role.VILLAGE_OFFICER]):
        if g.region.level == Region.Level.VILLAGE:
            seats.append(PublisherSeat(Project.Publisher.STATION, g.region, g))
    return seats


def publisher_role(actor: User | AnonymousUser | None, project: Project) -> str:
    """The role under which the actor runs ``project`` as its publisher (or the county centre
    overseeing it), or "" (they do not)."""
    if not signed_in(actor):
        return ""
    if is_centre(actor):
        return str(Role.DEPARTMENT_RECORDER)
    if project.publisher == Project.Publisher.DEPARTMENT:
        for g in grants_with_roles(actor, [Role.DEPARTMENT_RECORDER]):
            if g.department_id == project.publisher_department_id and g.region.contains(project.publisher_region):
                return g.role
        return ""
    if project.publisher in (Project.Publisher.INSTITUTE, Project.Publisher.STATION):
        grant = grant_covering(actor, [Role.TOWN_OFFICER], project.publisher_region)
        if grant is not None:
            return grant.role
    if project.publisher == Project.Publisher.STATION:
        for g in grants_with_roles(actor, [Role.VILLAGE_OFFICER]):
            if g.region.pk == project.publisher_region_id:
                return g.role
    return ""


def managed_projects_q(actor: User | AnonymousUser | None) -> Q:
    """The projects the actor runs as publisher (or oversees: the county centre, auditors read)."""
    if not signed_in(actor):
        return Q(pk__in=[])
    if is_centre(actor) or is_auditor(actor):
        return Q()
    q = Q(pk__in=[])
    for seat in publisher_seats(actor):
        if seat.publisher == Project.Publisher.DEPARTMENT:
            q |= Q(publisher=seat.publisher, publisher_department_id=seat.department_id)
        elif seat.publisher == Project.Publisher.INSTITUTE:
            q |= Q(publisher__in=[Project.Publisher.INSTITUTE, Project.Publisher.STATION]) & (
                Q(publisher_region=seat.region) | Q(publisher_region__parent=seat.region)
            )
        else:
            q |= Q(publisher=seat.publisher, publisher_region=seat.region)
    return q


def reads_project_books(actor: User | AnonymousUser | None, project: Project) -> bool:
    """Whether the actor reads the project's working side (drafts, applications, vouchers)."""
    return bool(publisher_role(actor, project)) or is_auditor(actor)


def access_project(actor: User | AnonymousUser | None, project_id: int, *, manage: bool = False) -> Project:
    """The project if the actor may see it (anyone: a public project; a draft: its publishers and
    auditors) or, with ``manage``, runs it as publisher. NotFound otherwise."""
    project = (
        Project.objects.select_related("region", "publisher_region", "publisher_department", "team")
        .filter(pk=project_id)
        .first()
    )
    if project is None:
        raise NotFound()
    if manage:
        if not publisher_role(actor, project):
            raise NotFound()
        return project
    if project.state in states.PUBLIC or reads_project_books(actor, project):
        return project
    raise NotFound()


# --- Sponsors ------------------------------------------------------------------------------------------
def sponsor_subjects(actor: User | AnonymousUser | None) -> list[Subject]:
    """The subjects the actor may claim and pay for: their own person file (a resident grant and a
    linked file) and the enterprises they represent (an ``enterprise_rep`` grant and a link)."""
    if not signed_in(actor):
        return []
    relations: list[str] = []
    if grants_with_roles(actor, [Role.RESIDENT]):
        relations.append(SubjectAccount.Relation.SELF)
    if grants_with_roles(actor, [Role.ENTERPRISE_REP]):
        relations.append(SubjectAccount.Relation.REPRESENTATIVE)
    if not relations:
        return []
    return list(
        Subject.objects.filter(account_links__user=actor, account_links__relation__in=relations)
        .select_related("village", "town")
        .order_by("kind", "name", "id")
        .distinct()
    )


def speaks_for(actor: User | AnonymousUser | None, subject_id: int) -> Subject:
    """The subject if the actor speaks for it (:func:`sponsor_subjects`); NotFound otherwise."""
    for subject in sponsor_subjects(actor):
        if subject.pk == subject_id:
            return subject
    raise NotFound()


def keeps_project_fund(actor: User | AnonymousUser | None) -> bool:
    """The county fund keeper records the payments received into the project marketplace fund."""
    return is_centre(actor)


# --- Teams ----------------------------------------------------------------------------------------------
def team_leader_grants(actor: User | AnonymousUser | None) -> list[Grant]:
    return grants_with_roles(actor, [Role.TEAM_LEADER])


# --- Small wishes ------------------------------------------------------------------------------------
def wish_officer_role(actor: User | AnonymousUser | None, region: Region) -> str:
    """The role under which the actor posts and confirms wishes for residents of ``region`` (a
    village officer of the village), or ""."""
    for g in grants_with_roles(actor, [Role.VILLAGE_OFFICER]):
        if g.region.pk == region.pk or g.region.contains(region):
            return g.role
    return ""


def own_person_subject(actor: User | AnonymousUser | None) -> Subject | None:
    """The actor's own person file (a resident grant and a ``self`` link), or None."""
    if not signed_in(actor) or not grants_with_roles(actor, [Role.RESIDENT]):
        return None
    return (
        Subject.objects.filter(
            kind=Subject.Kind.PERSON, account_links__user=actor, account_links__relation=SubjectAccount.Relation.SELF
        )
        .select_related("village", "town")
        .first()
    )


def reads_wish(actor: User | AnonymousUser | None, wish: Wish) -> bool:
    """Whether the actor reads the wish's full record (the resident's name): the resident, the
    village's officers (and the town's), the claimant's speakers, auditors."""
    if not signed_in(actor):
        return False
    if is_auditor(actor) or wish_officer_role(actor, wish.region):
        return True
    if grant_covering(actor, [Role.TOWN_OFFICER], wish.region) is not None:
        return True
    mine = own_person_subject(actor)
    if mine is not None and mine.pk == wish.beneficiary_id:
        return True
    return wish.claimant_id is not None and wish.claimant_id in {s.pk for s in sponsor_subjects(actor)}


def access_wish(actor: User | AnonymousUser | None, wish_id: int) -> Wish:
    """The wish (anyone may see one that is not withdrawn; a withdrawn one only those who read it
    in full). NotFound otherwise."""
    wish = Wish.objects.select_related("region").filter(pk=wish_id).first()
    if wish is None:
        raise NotFound()
    if wish.state == Wish.State.WITHDRAWN and not reads_wish(actor, wish):
        raise NotFound()
    return wish


def shows_projects(user: User | AnonymousUser, roles: frozenset[str] | set[str]) -> bool:
    """Navigation: everyone signed in sees the marketplace (its catalogue is public)."""
    return signed_in(user)
