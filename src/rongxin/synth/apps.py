from django.apps import AppConfig


class SynthConfig(AppConfig):
    name = "rongxin.synth"
    label = "synth"
    verbose_name = "Synthetic county"
