"""Who may do what with a lecture order (点单–派单–接单–评单).

- **Order**: village officers for their village or community (and its schools), town officers
  for their town, canteen managers for a canteen in their region, enterprise representatives for
  their own enterprise (an account linked to it and an ``enterprise_rep`` grant).
- **Dispatch**: the county's civilization-practice centre (lecture administrators) or the town's
  institute (a town officer whose town contains the order's region).
- **Answer** (accept or decline): the dispatched speaker (their own account) or a leader of the
  dispatched team (a team-leader grant over the team's region and an accepted leader membership).
- **Cancel**: the account that ordered it, or whoever may dispatch it.
- **Rate**: only the account that ordered it.
- **Read**: any of the above.

Missing and forbidden look the same (:class:`NotFound`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Grant, User
from rongxin.accounts.permissions import grant_covering, grants_with_roles
from rongxin.core.errors import NotFound
from rongxin.lectures.models import Order
from rongxin.lectures.permissions.common import (
    ORDERER_ROLES,
    lecture_admin_grants,
    own_speaker,
    signed_in,
    town_officer_covering,
)
from rongxin.regions.models import Region
from rongxin.subjects.models import Subject, SubjectAccount
from rongxin.volunteering.models import Team
from rongxin.volunteering.permissions import leads

# Who orders for which kind of orderer.
COMMUNITY_KINDS = frozenset({Order.Orderer.VILLAGE, Order.Orderer.COMMUNITY, Order.Orderer.SCHOOL})


def is_orderer(actor: User | AnonymousUser | None) -> bool:
    """Whether the actor holds a role that may order lectures at all."""
    return signed_in(actor) and bool(grants_with_roles(actor, ORDERER_ROLES))


def order_regions(actor: User | AnonymousUser | None) -> list[Region]:
    """The regions the actor may order for (villages, communities, schools, canteens); their
    own enterprise is asked for separately (:func:`represented_enterprises`)."""
    return [
        g.region
        for g in grants_with_roles(actor, [Role.VILLAGE_OFFICER, Role.TOWN_OFFICER, Role.CANTEEN_MANAGER])
        if g.region.level != Region.Level.COUNTY
    ]


def orderer_role(actor: User | AnonymousUser | None) -> str | None:
    """The actor's first ordering role, or None."""
    grants = grants_with_roles(actor, ORDERER_ROLES)
    return grants[0].role if grants else None


def represented_enterprises(actor: User | AnonymousUser | None) -> list[Subject]:
    """The enterprises the actor represents (linked account and an ``enterprise_rep`` grant)."""
    if not signed_in(actor) or not grants_with_roles(actor, [Role.ENTERPRISE_REP]):
        return []
    return list(
        Subject.objects.select_related("village", "town")
        .filter(
            kind=Subject.Kind.ENTERPRISE,
            account_links__user=actor,
            account_links__relation=SubjectAccount.Relation.REPRESENTATIVE,
        )
        .order_by("name", "id")
    )


def enterprise_region(enterprise: Subject) -> Region | None:
    return enterprise.village or enterprise.town


def orderer_grant(
    actor: User | AnonymousUser | None, *, kind: str, region: Region | None, enterprise: Subject | None
) -> Grant | None:
    """The grant that lets the actor order for an orderer of ``kind`` in ``region`` (for an
    enterprise: the enterprise they represent), or None."""
    if not signed_in(actor):
        return None
    if kind == Order.Orderer.ENTERPRISE:
        if enterprise is None or enterprise.pk not in {e.pk for e in represented_enterprises(actor)}:
            return None
        return grants_with_roles(actor, [Role.ENTERPRISE_REP])[0]
    if region is None or region.level == Region.Level.COUNTY:
        return None
    if kind == Order.Orderer.CANTEEN:
        return grant_covering(actor, [Role.CANTEEN_MANAGER], region)
    if kind in COMMUNITY_KINDS:
        return grant_covering(actor, [Role.VILLAGE_OFFICER, Role.TOWN_OFFICER], region)
    return None


def dispatch_grant(actor: User | AnonymousUser | None, order: Order) -> Grant | None:
    """The centre (lecture administrator) or the town's institute (a town officer covering the
    order's region): the grant that lets the actor dispatch, or cancel, the order."""
    admin = lecture_admin_grants(actor)
    if admin:
        return admin[0]
    return town_officer_covering(actor, order.region)


def team_leader_grant(actor: User | AnonymousUser | None, team: Team) -> Grant | None:
    """A team-leader grant over the team's region when the actor is an accepted leader of it."""
    grant = grant_covering(actor, [Role.TEAM_LEADER], team.region)
    if grant is None or leads(actor, team) is None:  # type: ignore[arg-type]
        return None
    return grant


def answer_role(actor: User | AnonymousUser | None, order: Order) -> str | None:
    """The role in which the actor answers (accepts or declines) the order it was dispatched to:
    ``lecturer`` for the dispatched speaker, ``team_leader`` for a leader of the dispatched team."""
    if not signed_in(actor):
        return None
    if order.speaker_id is not None:
        me = own_speaker(actor)
        if me is not None and me.pk == order.speaker_id:
            return Role.LECTURER
    if order.team is not None:
        grant = team_leader_grant(actor, order.team)
        if grant is not None:
            return grant.role
    return None


@dataclass(frozen=True)
class OrderRights:
    """What the actor may do with one order (whatever its state)."""

    order: Order
    orderer: bool  # the account that ordered it
    orderer_role: str  # the actor's ordering role ("" when they hold none)
    dispatch_role: str  # "" when the actor may not dispatch
    answer_role: str  # "" when the actor may not accept or decline

    @property
    def dispatcher(self) -> bool:
        return bool(self.dispatch_role)

    @property
    def answerer(self) -> bool:
        return bool(self.answer_role)

    @property
    def role(self) -> str:
        """The role the actor reads the order in (for the audit log)."""
        if self.dispatch_role:
            return self.dispatch_role
        if self.answer_role:
            return self.answer_role
        return self.orderer_role


def order_rights(actor: User | AnonymousUser | None, order: Order) -> OrderRights:
    grant = dispatch_grant(actor, order) if signed_in(actor) else None
    ordering = grants_with_roles(actor, ORDERER_ROLES)
    return OrderRights(
        order=order,
        orderer=signed_in(actor) and order.ordered_by_id == actor.pk,
        orderer_role=ordering[0].role if ordering else "",
        dispatch_role=grant.role if grant is not None else "",
        answer_role=answer_role(actor, order) or "",
    )


def access_order(actor: User | AnonymousUser | None, *, order_id: int) -> OrderRights:
    """The order and the actor's rights to it, if they may read it (its orderer, a dispatcher
    over its region, the dispatched speaker or a leader of the dispatched team). NotFound
    otherwise. Also the API's gate of every operation naming an order."""
    if not signed_in(actor):
        raise NotFound()
    order = (
        Order.objects.select_related("region", "team__region", "speaker", "saying", "enterprise", "venue")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound()
    rights = order_rights(actor, order)
    if not (rights.orderer or rights.dispatcher or rights.answerer):
        raise NotFound()
    return rights
