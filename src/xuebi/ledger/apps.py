from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "xuebi.ledger"
    label = "ledger"
    verbose_name = "学习台账"
