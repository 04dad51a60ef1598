from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "rongxin.subjects"
    label = "subjects"
    verbose_name = "Subjects"
