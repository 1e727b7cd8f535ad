from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "xuebi.org"
    label = "org"
    verbose_name = "组织与人员"

    def ready(self):
        from . import tasks

        tasks.register()  # the roster's large imports and exports, as job kinds

        from . import receivers  # noqa: F401  (a changed account, grant, person or unit renews the access token)
