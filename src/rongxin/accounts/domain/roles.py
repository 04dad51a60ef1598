"""The roles of MISSION.md and which of them are staff who may read residents' files."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_CREDIT_OFFICE = "county_credit_office", _("County credit office")
    DEPARTMENT_RECORDER = "department_recorder", _("Department recorder")
    TOWN_OFFICER = "town_officer", _("Town officer")
    VILLAGE_OFFICER = "village_officer", _("Village officer")
    TEAM_LEADER = "team_leader", _("Volunteer team leader")
    RESIDENT = "resident", _("Resident")
    ENTERPRISE_REP = "enterprise_rep", _("Enterprise representative")
    INCENTIVE_PROVIDER = "incentive_provider", _("Incentive provider")
    CANTEEN_MANAGER = "canteen_manager", _("Canteen manager")
    LECTURER = "lecturer", _("Lecturer")
    AUDITOR = "auditor", _("Auditor")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")


# Staff who may search and read credit files within their region.
FILE_READERS = frozenset({Role.COUNTY_CREDIT_OFFICE, Role.DEPARTMENT_RECORDER, Role.TOWN_OFFICER, Role.VILLAGE_OFFICER})
# Staff who may register subjects and record consent on a subject's behalf within their region.
FILE_KEEPERS = frozenset({Role.COUNTY_CREDIT_OFFICE, Role.TOWN_OFFICER, Role.VILLAGE_OFFICER})
# Roles whose grant is about one subject (their own), not a region they manage.
SELF_ROLES = frozenset({Role.RESIDENT, Role.ENTERPRISE_REP})
# Everyone who works the programme (all roles but those that speak for one subject).
STAFF_ROLES = frozenset(set(Role) - SELF_ROLES)
# Who administers accounts: revokes the grants and API keys of the users whose every grant lies in
# the administrator's region subtree (a county grant: the county; a town grant: that town).
ACCOUNT_ADMINS = frozenset({Role.PLATFORM_ADMIN})
# Roles over the whole county, granted only by an administrator of the county (a town
# administrator grants the roles that work inside a town).
COUNTY_ROLES = frozenset({Role.COUNTY_CREDIT_OFFICE, Role.AUDITOR})
