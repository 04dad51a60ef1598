"""Lecture teams: the brand (百姓名嘴, 夕阳红, 红领巾 ...) and audience a volunteering team of kind
``lecture`` carries in the lecture programme."""

from __future__ import annotations

from django.db import transaction

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import NotFound
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.lectures.models import TeamBrand
from rongxin.lectures.permissions.common import lecture_admin_grants, town_officer_covering
from rongxin.volunteering.models import Team


@transaction.atomic
def team_brand_set(*, actor: User, team_id: int, brand: str, audience: str = "") -> TeamBrand:
    """A lecture administrator, or the town officer over the team's home region, sets the
    brand and audience of an active lecture team (under a lock on the team). Writes the brand
    and the audit row ``team_brand.set``. Raises NotFound (no such lecture team, or not
    yours), InvalidInput."""
    team = Team.objects.select_for_update().select_related("region").filter(pk=team_id).first()
    if team is None or team.kind != Team.Kind.LECTURE or not team.active:
        raise NotFound()
    admin = lecture_admin_grants(actor)
    grant = admin[0] if admin else town_officer_covering(actor, team.region)
    if grant is None:
        raise NotFound()
    name = clean_text(brand, field="brand", required=True, max_length=40, multiline=False)
    who = clean_text(audience, field="audience", required=False, max_length=100, multiline=False)
    row = TeamBrand.objects.filter(team=team).first()
    if row is None:
        row = TeamBrand.objects.create(team=team, brand=name, audience=who, created_at=clock.now())
    else:
        row.brand, row.audience = name, who
        row.save(update_fields=["brand", "audience"])
    audit_record(
        actor=actor,
        role=grant.role,
        kind=AuditEvent.Kind.WRITE,
        action="team_brand.set",
        object_type="lecture_team",
        object_id=team.pk,
        details={"brand": name, "audience": who},
    )
    return row
