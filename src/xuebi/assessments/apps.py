from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "xuebi.assessments"
    label = "assessments"
    verbose_name = "考核"

    def ready(self):
        from . import providers  # noqa: F401  (registers the built-in evidence providers)
