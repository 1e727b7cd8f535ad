from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "xuebi.notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self):
        from xuebi.jobs.schedule import register

        from . import services

        # a delivery whose task was lost (a queue emptied, a worker killed mid-way) is sent again
        register("notifications.resend_stale", "daily", services.resend_stale)
