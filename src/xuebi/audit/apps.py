from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "xuebi.audit"
    label = "audit"
    verbose_name = "操作日志"

    def ready(self):
        from . import receivers  # noqa: F401  (login/logout/lockout come from Django and axes as signals)
