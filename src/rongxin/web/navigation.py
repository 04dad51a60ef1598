"""Navigation by role: each signed-in user sees the pages their grants allow."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.permissions import user_roles
from rongxin.accounts.roles import FILE_KEEPERS, FILE_READERS, STAFF_ROLES, Role
from rongxin.volunteering.permissions import TEAM_ADMINS
from rongxin.web.pages.jobs import may_watch_jobs


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def navigation_for(request: HttpRequest) -> list[NavItem]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    roles = user_roles(user)
    entries: list[tuple[object, str]] = [(_("Home"), "web:home")]
    if roles & {Role.RESIDENT, Role.ENTERPRISE_REP} or user.subject_links.exists():
        entries.append((_("My credit file"), "web:my_file"))
        entries.append((_("Credit incentives"), "web:incentives_me"))
    # Volunteering: every person speaking for themself; organisers; team administrators.
    if Role.RESIDENT in roles or user.subject_links.filter(relation="self", subject__kind="person").exists():
        entries.append((_("Volunteering"), "web:my_volunteering"))
        entries.append((_("Activities"), "web:activity_list"))
    if Role.TEAM_LEADER in roles:
        entries.append((_("My teams"), "web:teams_mine"))
    if roles & TEAM_ADMINS:
        entries.append((_("Teams"), "web:team_list"))
        entries.append((_("Call-outs"), "web:callout_list"))
    if roles & FILE_READERS:
        entries.append((_("Search files"), "web:subject_search"))
    if roles & FILE_KEEPERS:
        entries.append((_("Register"), "web:person_register"))
    if Role.COUNTY_CREDIT_OFFICE in roles:
        entries.append((_("Reviews"), "web:credit_review"))
    if roles & {Role.DEPARTMENT_RECORDER, Role.COUNTY_CREDIT_OFFICE}:
        entries.append((_("Imports"), "web:imports"))
    if roles & STAFF_ROLES:
        entries.append((_("Catalogues"), "web:catalogues"))
        entries.append((_("Regions"), "web:regions"))
    if Role.INCENTIVE_PROVIDER in roles:
        entries.append((_("Verify and redeem"), "web:incentives_provider"))
    if Role.COUNTY_CREDIT_OFFICE in roles:
        entries.append((_("Manage incentives"), "web:incentives_manage"))
    if Role.AUDITOR in roles:
        entries.append((_("Audit log"), "web:audit_log"))
    entries += [(_("Background jobs"), "web:jobs")] if may_watch_jobs(user) else []
    entries.append((_("My account"), "web:account_mine"))
    path = request.path
    items = []
    for label, name in entries:
        url = reverse(name)
        active = path == url if url == "/" else path.startswith(url)
        items.append(NavItem(label=str(label), url=url, active=active))
    return items
