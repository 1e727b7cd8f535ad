from django.apps import AppConfig


class ChecklistsConfig(AppConfig):
    name = "xuebi.checklists"
    label = "checklists"
    verbose_name = "清单式管理"

    def ready(self):
        from xuebi.campaign.sources import register_source_type
        from xuebi.jobs.schedule import register

        from . import reminders

        register("checklists.reminders", "daily", reminders.sweep)
        register_source_type("checklist", "清单事项", describe)  # what campaign rules may count


def describe(codes, active_only: bool) -> list:
    """The kinds of source a closed item is: one per list (科室责任清单 …), each with the choice fields
    a LOOKUP rule may count on (on time or late, the 督办 level, the priority)."""
    from xuebi.campaign.sources import SourceKind

    from .models import source_kinds

    return [SourceKind(**kind) for kind in source_kinds() if codes is None or kind["code"] in set(codes)]
