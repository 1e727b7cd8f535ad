from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xuebi.core"
    label = "core"
    verbose_name = "基础"
