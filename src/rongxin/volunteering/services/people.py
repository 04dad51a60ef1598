"""Volunteers and teams: registration (voluntary, with a guardian for minors), team creation,
applications and leaders."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, InvalidInput, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.regions.models import Region
from rongxin.regions.selectors import region_get_by_code
from rongxin.subjects.services import notice_send
from rongxin.volunteering.domain.volunteers import ADULT_AGE, age_on, volunteer_number
from rongxin.volunteering.models import Membership, Team, Volunteer
from rongxin.volunteering.permissions import (
    access_membership_for_deciding,
    access_team_for_admin,
    admin_grant,
    own_person,
    own_volunteer,
)
from rongxin.volunteering.selectors.people import volunteer_by_number
from rongxin.volunteering.services.activities import signup_cancel_all_future
from rongxin.volunteering.services.inputs import clean_person_name, clean_skills, clean_text


@transaction.atomic
def volunteer_register(
    *,
    actor: User,
    agree: bool,
    skills: list[str] | None = None,
    availability: str = "",
    guardian_name: str = "",
    guardian_relation: str = "",
    guardian_consent: bool = False,
) -> Volunteer:
    """The actor registers themself as a volunteer (nobody registers anybody else). They must
    agree to the service terms; a minor also needs a named guardian's consent. Registering again
    after withdrawing reactivates the record. Raises NotFound (no own person record),
    InvalidInput, Conflict (already a volunteer)."""
    person = own_person(actor)
    existing = Volunteer.objects.select_for_update().filter(pk=person.pk).first()
    if existing is not None and existing.status == Volunteer.Status.ACTIVE:
        raise Conflict(_("You are already registered as a volunteer."), code="already_volunteer")
    if not agree:
        raise field_error("agree", _("Please read and accept the volunteer service terms."), code="consent_required")
    skills = clean_skills(skills)
    availability = clean_text(availability, field="availability", required=False, max_length=200)
    now = clock.now()
    minor = age_on(person.birth_date, now.astimezone(clock.LOCAL_TZ).date()) < ADULT_AGE
    guardian_name = clean_person_name(guardian_name, field="guardian_name", required=minor)
    guardian_relation = clean_text(guardian_relation, field="guardian_relation", required=minor, max_length=20)
    if minor and not guardian_consent:
        raise field_error(
            "guardian_consent", _("A volunteer under 18 needs a guardian's consent."), code="guardian_required"
        )
    volunteer = existing or Volunteer(subject_id=person.pk, number=volunteer_number(person.pk), registered_at=now)
    volunteer.status = Volunteer.Status.ACTIVE
    volunteer.skills, volunteer.availability, volunteer.consent_at = skills, availability, now
    if minor:
        volunteer.guardian_name, volunteer.guardian_relation, volunteer.guardian_consent_at = (
            guardian_name,
            guardian_relation,
            now,
        )
    volunteer.save()
    audit_record(
        actor=actor,
        role=Role.RESIDENT,
        kind=AuditEvent.Kind.WRITE,
        action="volunteer.register",
        object_type="volunteer",
        object_id=volunteer.number,
        subject_id=person.pk,
        details={"minor": minor, "skills": skills},
    )
    return volunteer


@transaction.atomic
def volunteer_update(*, actor: User, skills: list[str] | None, availability: str) -> Volunteer:
    volunteer = own_volunteer(actor, lock=True)
    volunteer.skills = clean_skills(skills)
    volunteer.availability = clean_text(availability, field="availability", required=False, max_length=200)
    volunteer.save(update_fields=["skills", "availability"])
    audit_record(
        actor=actor,
        role=Role.RESIDENT,
        kind=AuditEvent.Kind.WRITE,
        action="volunteer.update",
        object_type="volunteer",
        object_id=volunteer.number,
        subject_id=volunteer.pk,
    )
    return volunteer


def volunteer_patch(*, actor: User, skills: list[str] | None, availability: str | None) -> Volunteer:
    """:func:`volunteer_update` with omitted (None) fields kept as they are."""
    current = own_volunteer(actor)
    return volunteer_update(
        actor=actor,
        skills=current.skills if skills is None else skills,
        availability=current.availability if availability is None else availability,
    )


@transaction.atomic
def volunteer_withdraw(*, actor: User) -> Volunteer:
    """The volunteer leaves the register (records and certificates stay; sign-ups for activities
    that have not started are cancelled)."""
    volunteer = own_volunteer(actor, lock=True)
    signup_cancel_all_future(volunteer=volunteer, actor=actor)
    Membership.objects.filter(
        volunteer=volunteer, status__in=[Membership.Status.APPLIED, Membership.Status.ACCEPTED]
    ).update(status=Membership.Status.LEFT, decided_at=clock.now())
    volunteer.status = Volunteer.Status.WITHDRAWN
    volunteer.save(update_fields=["status"])
    audit_record(
        actor=actor,
        role=Role.RESIDENT,
        kind=AuditEvent.Kind.WRITE,
        action="volunteer.withdraw",
        object_type="volunteer",
        object_id=volunteer.number,
        subject_id=volunteer.pk,
    )
    return volunteer


# --- Teams ----------------------------------------------------------------------------------
@transaction.atomic
def team_create(*, actor: User, name: str, tier: str, kind: str, region_code: str, description: str = "") -> Team:
    """A team administrator creates a team whose home region lies in their grant. Raises
    InvalidInput (bad tier/kind/region, name taken), NotFound (region outside the grant)."""
    name = clean_text(name, field="name", required=True, max_length=100)
    if tier not in Team.Tier.values:
        raise field_error("tier", _("Choose a tier."), code="invalid_choice")
    if kind not in Team.Kind.values:
        raise field_error("kind", _("Choose a kind."), code="invalid_choice")
    region = region_get_by_code(code=region_code, field="region_code")
    if tier == Team.Tier.TOWN_VILLAGE and region.level == Region.Level.COUNTY:
        raise field_error(
            "region_code", _("A town and village team belongs to a town or a village."), code="team_region"
        )
    grant = admin_grant(actor, region)
    if Team.objects.filter(region=region, name=name).exists():
        raise field_error("name", _("A team of this name already exists in this region."), code="duplicate_team")
    team = Team.objects.create(
        name=name,
        tier=tier,
        kind=kind,
        region=region,
        description=clean_text(description, field="description", required=False, max_length=2000),
        created_at=clock.now(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        role=grant.role,
        kind=AuditEvent.Kind.WRITE,
        action="team.create",
        object_type="team",
        object_id=team.pk,
        details={"name": name, "tier": tier, "region": region.code},
    )
    return team


@transaction.atomic
def membership_apply(*, actor: User, team_id: int) -> Membership:
    """The volunteer applies to join a team (again, after declining or leaving)."""
    volunteer = own_volunteer(actor)
    team = Team.objects.filter(pk=team_id, active=True).first()
    if team is None:
        raise NotFound()
    now = clock.now()
    m = Membership.objects.select_for_update().filter(team=team, volunteer=volunteer).first()
    if m is not None and m.status in (Membership.Status.APPLIED, Membership.Status.ACCEPTED):
        raise Conflict(_("You have already applied to or joined this team."), code="already_member")
    if m is None:
        m = Membership(team=team, volunteer=volunteer, role=Membership.Role.MEMBER)
    m.status, m.applied_at, m.decided_at, m.decided_by = Membership.Status.APPLIED, now, None, None
    try:
        with transaction.atomic():
            m.save()
    except IntegrityError:
        raise Conflict(_("You have already applied to or joined this team."), code="already_member") from None
    audit_record(
        actor=actor,
        role=Role.RESIDENT,
        kind=AuditEvent.Kind.WRITE,
        action="team.apply",
        object_type="team",
        object_id=team.pk,
        subject_id=volunteer.pk,
    )
    return m


@transaction.atomic
def membership_decide(*, actor: User, membership_id: int, accept: bool) -> Membership:
    """A leader (or administrator) of the team accepts or declines an application."""
    m, access = access_membership_for_deciding(actor, membership_id=membership_id, lock=True)
    if m.status != Membership.Status.APPLIED:
        raise Conflict(_("This application has already been decided."), code="already_decided")
    m.status = Membership.Status.ACCEPTED if accept else Membership.Status.DECLINED
    m.decided_at, m.decided_by = clock.now(), actor
    m.save(update_fields=["status", "decided_at", "decided_by"])
    audit_record(
        actor=actor,
        role=access.role,
        kind=AuditEvent.Kind.WRITE,
        action="team.accept" if accept else "team.decline",
        object_type="team",
        object_id=m.team_id,
        subject_id=m.volunteer_id,
    )
    title = (
        gettext("You have joined the team %(team)s.")
        if accept
        else gettext("The team %(team)s declined your application.")
    ) % {"team": m.team.name}
    notice_send(subject_id=m.volunteer_id, kind="volunteering.team", title=title)
    return m


@transaction.atomic
def membership_leave(*, actor: User, team_id: int) -> Membership:
    volunteer = own_volunteer(actor)
    m = Membership.objects.select_for_update().filter(team_id=team_id, volunteer=volunteer).first()
    if m is None or m.status not in (Membership.Status.APPLIED, Membership.Status.ACCEPTED):
        raise NotFound()
    m.status, m.role, m.decided_at = Membership.Status.LEFT, Membership.Role.MEMBER, clock.now()
    m.save(update_fields=["status", "role", "decided_at"])
    audit_record(
        actor=actor,
        role=Role.RESIDENT,
        kind=AuditEvent.Kind.WRITE,
        action="team.leave",
        object_type="team",
        object_id=team_id,
        subject_id=volunteer.pk,
    )
    return m


@transaction.atomic
def leader_set(*, actor: User, team_id: int, volunteer_number: str, leader: bool = True) -> Membership:
    """A team administrator makes an accepted member a leader (or a member again). The person
    must have joined the team themself. Raises NotFound, InvalidInput."""
    access = access_team_for_admin(actor, team_id=team_id)
    volunteer = volunteer_by_number(volunteer_number)
    m = Membership.objects.select_for_update().filter(team=access.team, volunteer=volunteer).first()
    if m is None or m.status != Membership.Status.ACCEPTED:
        raise InvalidInput(_("Only a member who has joined the team can lead it."), code="not_a_member")
    m.role = Membership.Role.LEADER if leader else Membership.Role.MEMBER
    m.decided_at, m.decided_by = clock.now(), actor
    m.save(update_fields=["role", "decided_at", "decided_by"])
    audit_record(
        actor=actor,
        role=access.role,
        kind=AuditEvent.Kind.WRITE,
        action="team.leader" if leader else "team.leader_removed",
        object_type="team",
        object_id=team_id,
        subject_id=volunteer.pk,
    )
    return m
