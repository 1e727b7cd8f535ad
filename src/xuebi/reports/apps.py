from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "xuebi.reports"
    label = "reports"
    verbose_name = "通报与总结"

    def ready(self):
        from . import tasks

        tasks.register()  # the notice's job kinds and the monthly draft, with the jobs module
