from django.apps import AppConfig


class OrginfoConfig(AppConfig):
    name = "xuebi.orginfo"
    label = "orginfo"
    verbose_name = "组工信息"
