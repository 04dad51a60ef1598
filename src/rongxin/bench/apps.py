from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "rongxin.bench"
    label = "bench"
    verbose_name = "Benchmarks"
