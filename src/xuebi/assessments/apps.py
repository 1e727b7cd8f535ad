from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "xuebi.assessments"
    label = "assessments"
    verbose_name = "考核"

    def ready(self):
        from . import points_source, providers  # noqa: F401  (providers registers the built-in evidence)

        points_source.register()  # final grades: a source type campaign rules may count, replayed by 重算积分
