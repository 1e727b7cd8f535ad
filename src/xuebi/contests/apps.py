from django.apps import AppConfig


class ContestsConfig(AppConfig):
    name = "xuebi.contests"
    label = "contests"
    verbose_name = "评比"

    def ready(self):
        from xuebi.campaign.sources import register_source_type

        register_source_type("contest", "评比", contest_kinds)  # what campaign rules may count

        from . import tasks

        tasks.register()  # the certificates, as a job kind


def contest_kinds(codes, active_only: bool) -> list:
    """Each contest as a kind of source for the rules (``contest-<pk>``), its award levels the
    choices a lookup rule gives points by."""
    from xuebi.campaign.sources import SourceKind

    from .models import Contest, ContestStatus

    rows = Contest.objects.prefetch_related("levels").order_by("-entry_start", "-pk")
    if codes is not None:
        ids = [int(code.split("-", 1)[1]) for code in codes if code.startswith("contest-") and code[8:].isdigit()]
        rows = rows.filter(pk__in=ids)
    return [
        SourceKind(
            code=c.source_kind,
            name=c.title,
            fields=[{"key": "level", "label": "奖项", "type": "choice", "choices": [lv.name for lv in c.levels.all()]}],
            is_group=True,
            is_active=c.status != ContestStatus.PUBLISHED or not active_only,
        )
        for c in rows
    ]
