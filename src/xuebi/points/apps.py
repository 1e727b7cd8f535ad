from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "xuebi.points"
    label = "points"
    verbose_name = "积分"

    def ready(self):
        from . import contest_source  # noqa: F401  (connects the contests' events)
        from . import orginfo_source  # noqa: F401  (connects the 组工信息 adoptions' events)
        from . import checklist_source  # noqa: F401  (connects the checklists' accepted items)
        from . import exam_source  # noqa: F401  (connects the exams' results)
        from . import receivers  # noqa: F401  (connects the ledger's events)
        from . import tasks

        tasks.register()  # the job kinds and the periodic task, with the jobs module
