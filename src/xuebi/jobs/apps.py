from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "xuebi.jobs"
    label = "jobs"
    verbose_name = "后台任务"

    def ready(self):
        from . import audit_export

        audit_export.register()  # the audit log's large export (audit sits below jobs)
