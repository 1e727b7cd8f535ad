"""/api/v1/notifications: one's own messages (the bell), marking them read; the group robots of the units
one administers, their test message and their deliveries."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Router, Schema, Status

from xuebi.core.api import DbInt, ErrorOut, LimitOffsetPagination, paginate
from xuebi.org.choices import ADMIN_ROLES
from xuebi.org.models import Unit
from xuebi.org.permissions import get_visible_or_404
from xuebi.org.scoping import has_role

from . import services
from .models import Notification, Webhook

router = Router(tags=["消息"])


class NotificationOut(Schema):
    id: int
    title: str
    body: str
    url: str
    topic: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class ReadIn(Schema):
    ids: list[DbInt] | None = None  # omitted: all


class CountOut(Schema):
    unread: int


@router.get("", response=list[NotificationOut], summary="我的消息（新的在前）")
@paginate(LimitOffsetPagination)
def notification_list(request, unread: bool = False):
    rows = Notification.visible_to(request.auth)
    return rows.filter(read_at__isnull=True) if unread else rows


@router.get("/unread", response=CountOut, summary="未读消息数")
def unread_count(request):
    return {"unread": Notification.visible_to(request.auth).filter(read_at__isnull=True).count()}


@router.post("/read", response=CountOut, summary="标为已读（ids 省略：全部）；回答剩余未读数")
def mark_read(request, payload: ReadIn):
    services.mark_read(request.auth, payload.ids)
    return {"unread": Notification.visible_to(request.auth).filter(read_at__isnull=True).count()}


# --- group robots (the administrators of a unit) --------------------------------------------------


class WebhookOut(Schema):
    id: int
    unit_id: int
    unit: str
    name: str
    flavor: str
    url: str
    has_secret: bool
    is_active: bool

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_has_secret(obj) -> bool:
        return bool(obj.secret_encrypted)


class WebhookIn(Schema):
    unit_id: DbInt
    name: str
    flavor: str
    url: str
    secret: str | None = None  # omitted: unchanged ('' clears it); never returned
    is_active: bool = True


class DeliveryOut(Schema):
    id: int
    webhook_id: int
    title: str
    status: str
    attempts: int
    last_error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


def _admin(user) -> None:
    if not has_role(user, *ADMIN_ROLES):
        raise PermissionDenied("您的角色无权访问此接口。")


def _unit(pk: int) -> Unit:
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise ValidationError({"unit_id": f"没有编号为 {pk} 的单位。"})
    return unit


def _save(request, payload: WebhookIn, webhook=None) -> Webhook:
    return services.save_webhook(
        actor=request.auth,
        webhook=webhook,
        unit=_unit(payload.unit_id),
        name=payload.name,
        flavor=payload.flavor,
        url=payload.url.strip(),
        secret=payload.secret if payload.secret is not None or webhook else "",
        is_active=payload.is_active,
    )


@router.get("/webhooks", response=list[WebhookOut], summary="群机器人（本人管理的单位）")
def webhook_list(request):
    _admin(request.auth)
    return list(Webhook.objects.visible_to(request.auth).select_related("unit"))


@router.post("/webhooks", response={201: WebhookOut, 403: ErrorOut, 422: ErrorOut}, summary="添加群机器人（企业微信、钉钉）")
def webhook_create(request, payload: WebhookIn):
    _admin(request.auth)
    return Status(201, _save(request, payload))


@router.put("/webhooks/{int:pk}", response={200: WebhookOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}, summary="修改群机器人")
def webhook_update(request, pk: DbInt, payload: WebhookIn):
    _admin(request.auth)
    return _save(request, payload, get_visible_or_404(Webhook, request.auth, pk, "edit"))


@router.post(
    "/webhooks/{int:pk}/test", response={202: DeliveryOut, 403: ErrorOut, 404: ErrorOut}, summary="发送测试消息（排队发送）"
)
def webhook_test(request, pk: DbInt):
    _admin(request.auth)
    webhook = get_visible_or_404(Webhook, request.auth, pk, "edit")
    return Status(202, services.send_test(actor=request.auth, webhook=webhook))


@router.get("/webhooks/{int:pk}/deliveries", response=list[DeliveryOut], summary="发送记录（最近的在前）")
@paginate(LimitOffsetPagination)
def webhook_deliveries(request, pk: DbInt):
    _admin(request.auth)
    return get_visible_or_404(Webhook, request.auth, pk).deliveries.all()
