from django.apps import AppConfig


class OrginfoConfig(AppConfig):
    name = "xuebi.orginfo"
    label = "orginfo"
    verbose_name = "组工信息"

    def ready(self):
        from xuebi.campaign.sources import register_source_type

        register_source_type("orginfo", "组工信息", describe)  # what campaign rules may count


def describe(codes, active_only: bool) -> list:
    """The two kinds of source an adoption is (``models.source_kinds``): 采用 and 领导批示."""
    from xuebi.campaign.sources import SourceKind

    from .models import source_kinds

    return [SourceKind(**kind) for kind in source_kinds() if codes is None or kind["code"] in set(codes)]
