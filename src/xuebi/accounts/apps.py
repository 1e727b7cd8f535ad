from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xuebi.accounts"
    label = "accounts"
    verbose_name = "账号与安全"
