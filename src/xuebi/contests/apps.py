from django.apps import AppConfig


class ContestsConfig(AppConfig):
    name = "xuebi.contests"
    label = "contests"
    verbose_name = "评比"
