from django.apps import AppConfig


class VolunteeringConfig(AppConfig):
    name = "rongxin.volunteering"
    label = "volunteering"
    verbose_name = "Volunteering"
