from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.accounts.domain.roles import FILE_KEEPERS, FILE_READERS, STAFF_ROLES
from rongxin.core.registry import ApiArea, NavItem
from rongxin.subjects.domain.purposes import PURPOSES


class SubjectsConfig(AppConfig):
    name = "rongxin.subjects"
    label = "subjects"
    verbose_name = "Subjects"

    api_areas = (ApiArea("subjects", pgettext_lazy("api area", "Subjects"), order=30),)

    nav = (
        NavItem(
            _("My credit file"), "subjects:my_file", order=10, shown="rongxin.subjects.permissions.speaks_for_a_subject"
        ),
        NavItem(_("Search files"), "subjects:subject_search", order=60, roles=FILE_READERS),
        NavItem(_("Register"), "subjects:person_register", order=70, roles=FILE_KEEPERS),
        NavItem(_("Regions"), "subjects:regions", order=110, roles=STAFF_ROLES),
    )
    code_labels = {
        "audit.action": {
            "subject.view": _("Opened the file"),
            "subject.search": _("Searched files"),
            "person.register": _("Registered a person"),
            "organisation.register": _("Registered an enterprise or business"),
            "person.register_duplicate": _("Tried to register an ID number already registered"),
            "organisation.register_duplicate": _("Tried to register a USCC already registered"),
            "consent.grant": _("Recorded consent"),
            "consent.withdraw": _("Recorded withdrawal of consent"),
            "subject_account.link": _("Linked an account to a file"),
        },
        "audit.object_type": {"subject": _("Credit file")},
        "subjects.purpose": PURPOSES,
    }
