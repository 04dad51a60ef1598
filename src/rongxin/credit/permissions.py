"""Who may record, review and decide on credit entries.

- **Recording**: a department recorder whose grant covers the subject's village, for rules that
  list the recorder's department; a county credit office, town or village officer in region, for
  rules that list ``civilization_office`` (local good deeds and civic behaviour), acting for it.
- **Reviewing** (approval, objection decisions, repair decisions): the county credit office in
  region, never the entry's recorder.
- **Objection and repair applications**: the subject's own account.
- Nobody acts on their own record (a staff member linked to the subject is refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import Department, Grant
from rongxin.accounts.permissions import grant_covering, grants_with_roles
from rongxin.accounts.roles import Role
from rongxin.core.errors import Forbidden, NotFound
from rongxin.credit.models import Entry, Rule
from rongxin.subjects.models import Subject
from rongxin.subjects.permissions import linked_subject_ids

LOCAL_DEPARTMENT = "civilization_office"
LOCAL_RECORDERS = (Role.COUNTY_CREDIT_OFFICE, Role.TOWN_OFFICER, Role.VILLAGE_OFFICER)


@dataclass(frozen=True)
class RecordingRight:
    grant: Grant
    department: Department


def is_recorder_anywhere(actor: Any) -> bool:
    return bool(grants_with_roles(actor, [Role.DEPARTMENT_RECORDER, *LOCAL_RECORDERS]))


def recording_right(*, actor: Any, subject: Subject, rule: Rule) -> RecordingRight:
    """The grant and department under which ``actor`` records ``rule`` for ``subject``.

    Raises NotFound when the subject is outside every grant (no existence leak), Forbidden when
    the rule is not the actor's department's or the subject is the actor's own."""
    recorder_grants = [
        g
        for g in grants_with_roles(actor, [Role.DEPARTMENT_RECORDER, *LOCAL_RECORDERS])
        if g.region.contains(subject.village)
    ]
    if not recorder_grants:
        raise NotFound()
    if subject.pk in linked_subject_ids(actor):
        raise Forbidden(_("You may not act on your own record; ask a colleague."), code="own_record")
    rule_departments = {d.code: d for d in rule.departments.all()}
    for g in recorder_grants:
        if g.role == Role.DEPARTMENT_RECORDER and g.department and g.department.code in rule_departments:
            return RecordingRight(grant=g, department=g.department)
    for g in recorder_grants:
        if g.role in LOCAL_RECORDERS and LOCAL_DEPARTMENT in rule_departments:
            return RecordingRight(grant=g, department=rule_departments[LOCAL_DEPARTMENT])
    raise Forbidden(
        _("Rule %(code)s is not recorded by your department.") % {"code": rule.code}, code="rule_not_for_department"
    )


def reviewer_grant(*, actor: Any, entry: Entry) -> Grant:
    """The credit-office grant under which ``actor`` reviews ``entry``."""
    grant = grant_covering(actor, [Role.COUNTY_CREDIT_OFFICE], entry.subject.village)
    if grant is None:
        raise NotFound()
    if entry.subject_id in linked_subject_ids(actor):
        raise Forbidden(_("You may not act on your own record; ask a colleague."), code="own_record")
    if entry.recorder_id is not None and entry.recorder_id == actor.pk:
        raise Forbidden(_("The recorder of an entry may not review it; ask a colleague."), code="own_entry")
    return grant


def require_own_subject(*, actor: Any, entry: Entry) -> None:
    if entry.subject_id not in linked_subject_ids(actor):
        raise NotFound()
