"""/api/v1/notifications: one's own messages (the bell), marking them read."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from xuebi.core.api import DbInt, LimitOffsetPagination, paginate

from . import services
from .models import Notification

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
