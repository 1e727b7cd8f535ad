from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xuebi.accounts"
    label = "accounts"
    verbose_name = "账号与安全"

    def ready(self):
        from . import checks  # noqa: F401  (registers the start-up checks)
        from . import receivers  # noqa: F401  (acts on the roster's events: a leaver's account is disabled)
