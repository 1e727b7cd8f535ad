"""In-app notifications (the bell) and group-robot webhooks (企业微信, 钉钉).

A notification is one message to one account; a ``key`` makes a message idempotent: the same key
for the same account is stored once, so a sweep run twice notifies nobody twice. A webhook is a
unit's group robot; every message to it is a ``Delivery`` with its attempts, kept as the log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuebi.org.choices import ADMIN_ROLES
from xuebi.org.scoping import ScopedQuerySet

ADMINS = ADMIN_ROLES


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """Only one's own messages, whatever one's roles."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    topic = models.CharField(_("类别"), max_length=40, blank=True)
    key = models.CharField(_("去重键"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], condition=~Q(key=""), name="notification_once_per_key"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def visible_to(cls, user, action: str = "view"):
        return cls.objects.visible_to(user, action)


class Flavor(models.TextChoices):
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")


class Webhook(models.Model):
    """A group robot of a unit: it receives the reminders' daily digest of the unit's subtree. Seen
    and kept by the administrators of the unit (a unit admin's subtree, a league admin's all)."""

    scope_unit_field = "unit"
    scope_roles = {"view": ADMINS, "edit": ADMINS}
    objects = ScopedQuerySet.as_manager()

    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("名称"), max_length=60)
    flavor = models.CharField(_("类型"), max_length=20, choices=Flavor.choices)
    url = models.URLField(_("Webhook 地址"), max_length=500)
    secret_encrypted = models.TextField(_("加签密钥（加密）"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        ordering = ["unit__path", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def secret(self) -> str:
        from xuebi.core.crypto import decrypt

        return decrypt(self.secret_encrypted)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Delivery(models.Model):
    """One message to a robot and what became of it: tried up to ``MAX_ATTEMPTS`` times with a
    growing wait, the last error kept."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    key = models.CharField(_("去重键"), max_length=120)
    title = models.CharField(_("标题"), max_length=200)
    lines = models.JSONField(_("内容"), default=list)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("机器人消息")
        verbose_name_plural = _("机器人消息")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["webhook", "key"], name="delivery_once_per_key")]

    def __str__(self) -> str:
        return self.title
