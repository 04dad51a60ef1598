from django.apps import AppConfig

from rongxin.accounts.domain.roles import Role
from rongxin.core.registry import ApiArea, FilePanel, NavItem


class RegistryProbeConfig(AppConfig):
    name = "rongxin.web.tests.registry_app"
    label = "registry_probe"

    nav = (NavItem("Probe module", "web:home", order=135, roles=frozenset({Role.AUDITOR})),)
    api_areas = (ApiArea("probe", "Probe area", order=65, segments=("probe", "probing")),)
    file_panels = (
        FilePanel(
            "probe", "registry_app/_panel.html", context="rongxin.web.tests.registry_app.panels.file_panel", order=5
        ),
    )
