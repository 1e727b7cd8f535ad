from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "xuebi.exams"
    label = "exams"
    verbose_name = "考试"

    def ready(self):
        from xuebi.campaign.sources import register_source_type

        register_source_type("exam", "考试", exam_kinds)  # what campaign rules may count

        from . import tasks

        tasks.register()  # the daily closing of attempts past their time


def exam_kinds(codes, active_only: bool) -> list:
    """Each exam as a kind of source for the rules (``exam-<pk>``); a lookup rule gives points by
    its result (满分, 及格)."""
    from xuebi.campaign.sources import SourceKind

    from .models import Exam, ExamStatus

    rows = Exam.objects.order_by("-opens_at", "-pk")
    if codes is not None:
        ids = [int(code.split("-", 1)[1]) for code in codes if code.startswith("exam-") and code[5:].isdigit()]
        rows = rows.filter(pk__in=ids)
    return [
        SourceKind(
            code=e.source_kind,
            name=e.title,
            fields=[{"key": "result", "label": "成绩", "type": "choice", "choices": ["满分", "及格"]}],
            is_group=False,
            is_active=e.status != ExamStatus.CANCELLED or not active_only,
        )
        for e in rows
    ]
