from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The pages that read from every app: the home page and the navigation (top of the layers)."""

    name = "xuebi.home"
    label = "home"
    verbose_name = "首页"
