"""Writes of the notification centre: messages to accounts (idempotent by key), marking them read,
the units' group robots and their deliveries (sent by a task, retried with a growing wait, never
inside a request and never blocking one)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record, diff, snapshot
from xuebi.core.crypto import encrypt

from . import robots
from .models import Delivery, DeliveryStatus, Flavor, Notification, Webhook

__all__ = [
    "Message",
    "notify",
    "mark_read",
    "save_webhook",
    "post",
    "send_test",
    "attempt",
    "resend_stale",
    "BACKOFF",
    "MAX_ATTEMPTS",
]

logger = logging.getLogger(__name__)

# the wait before the 2nd, 3rd, 4th and 5th try; after the 5th failure the delivery is given up (and logged)
BACKOFF = [dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2)]
MAX_ATTEMPTS = len(BACKOFF) + 1
TIMEOUT = (5, 10)  # seconds: to connect, to answer


@dataclass(frozen=True)
class Message:
    recipient_id: int
    title: str
    body: str = ""
    url: str = ""
    topic: str = ""
    key: str = ""  # the same key to the same account is stored once


def notify(messages: Iterable[Message]) -> int:
    """Store the messages that are new; answer how many. A (recipient, key) stored before — by an
    earlier run of the same sweep, say — is skipped, and the database's unique key settles a race."""
    pending: dict[tuple[int, str], Message] = {}
    unkeyed = []
    for message in messages:
        if message.key:
            pending.setdefault((message.recipient_id, message.key), message)
        else:
            unkeyed.append(message)
    keys = sorted({key for _, key in pending})
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for seen in Notification.objects.filter(key__in=chunk).values_list("recipient_id", "key"):
            pending.pop(seen, None)
    new = [*pending.values(), *unkeyed]
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=m.recipient_id,
                title=m.title[:200],
                body=m.body,
                url=m.url[:300],
                topic=m.topic,
                key=m.key,
                created_at=now,
            )
            for m in new
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return len(new)


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's messages read (all of them with ``ids`` None); others' ids are ignored."""
    rows = Notification.visible_to(user).filter(read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


# --- group robots ------------------------------------------------------------------------------

WEBHOOK_FIELDS = ["unit", "name", "flavor", "url", "is_active"]


def allowed_hosts() -> list[str]:
    return list(settings.XUEBI_WEBHOOK_HOSTS)


def _check_url(url: str, flavor: str) -> None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise ValidationError({"url": "Webhook 地址须以 https:// 开头。"})
    if host not in allowed_hosts():
        raise ValidationError(
            {
                "url": f"不允许向 {host} 发送消息：只能发往 {'、'.join(allowed_hosts())}（由系统管理员在 XUEBI_WEBHOOK_HOSTS 中设置）。"
            }
        )
    if flavor == Flavor.DINGTALK and "access_token=" not in (parts.query or ""):
        raise ValidationError({"url": "钉钉机器人的地址应含 access_token=…，请从钉钉群的机器人设置中复制完整地址。"})
    if flavor == Flavor.WECOM and "key=" not in (parts.query or ""):
        raise ValidationError({"url": "企业微信机器人的地址应含 key=…，请从群机器人的设置中复制完整地址。"})


@transaction.atomic
def save_webhook(*, actor, unit, name: str, flavor: str, url: str, secret: str | None, is_active: bool = True, webhook=None):
    """Create or change a unit's robot. ``secret`` None keeps the stored one ('' clears it); it is
    kept encrypted and never shown again."""
    if unit is None or not _administers(actor, unit):
        raise ValidationError({"unit": "只能为本人管理的单位设置群机器人。"})
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "请填写名称，如“镶黄旗组织部工作群”。"})
    if flavor not in Flavor.values:
        raise ValidationError({"flavor": "请选择企业微信或钉钉。"})
    _check_url(url, flavor)
    before = snapshot(webhook, WEBHOOK_FIELDS) if webhook else {}
    webhook = webhook or Webhook(created_by=actor)
    webhook.unit, webhook.name, webhook.flavor, webhook.url, webhook.is_active = unit, name, flavor, url, is_active
    if secret is not None:
        webhook.secret_encrypted = encrypt(secret.strip())
    webhook.save()
    changes = diff(before, snapshot(webhook, WEBHOOK_FIELDS))
    if secret is not None:
        changes["secret"] = ["", "（已更改）"]
    audit_record(action=Action.WEBHOOK_SAVE, target=webhook, changes=changes)
    return webhook


def _administers(actor, unit) -> bool:
    from xuebi.org.choices import ADMIN_ROLES
    from xuebi.org.scoping import unit_paths

    return any(unit.path.startswith(path) for path in unit_paths(actor, ADMIN_ROLES))


def post(webhook: Webhook, *, key: str, title: str, lines: list[str], url: str = "") -> Delivery | None:
    """Queue one message to a robot, once per key: the delivery is stored now and sent by a task
    after the commit. Answers the new delivery, or None when the key was posted before."""
    delivery, created = Delivery.objects.get_or_create(
        webhook=webhook, key=key[:120], defaults={"title": title[:200], "lines": lines, "url": url[:300]}
    )
    if not created:
        return None
    transaction.on_commit(lambda: _enqueue(delivery.pk))
    return delivery


def send_test(*, actor, webhook: Webhook) -> Delivery:
    now = timezone.localtime()
    delivery = post(
        webhook,
        key=f"test-{now:%Y%m%d%H%M%S%f}",
        title="学比：群机器人测试消息",
        lines=[f"{webhook.name}已接入学比，到期和逾期提醒将发到本群。", f"发送人：{actor.full_name or actor.username}"],
        url=absolute("/"),
    )
    assert delivery is not None
    return delivery


def absolute(path: str) -> str:
    """A link into the site for a message read outside it, when the site's address is set."""
    base = settings.XUEBI_SITE_URL.rstrip("/")
    return f"{base}{path}" if base and path else ""


def _enqueue(pk: int, run_after: dt.datetime | None = None) -> None:
    from .tasks import deliver

    task = deliver
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the daily resend_stale picks it up
        task = task.using(run_after=run_after)
    task.enqueue(pk)


def _claim(pk: int) -> Delivery | None:
    """Count an attempt and set when the next may be, before sending: a second task for the same
    delivery finds it not due and sends nothing twice."""
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update(of=("self",)).select_related("webhook").filter(pk=pk).first()
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return None
        if not delivery.webhook.is_active:
            delivery.status, delivery.last_error = DeliveryStatus.FAILED, "群机器人已停用"
            delivery.save(update_fields=["status", "last_error"])
            return None
        delivery.attempts += 1
        wait = BACKOFF[delivery.attempts - 1] if delivery.attempts <= len(BACKOFF) else dt.timedelta(0)
        delivery.next_attempt_at = now + wait
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery


def attempt(pk: int) -> Delivery | None:
    """Send a due delivery once. Success marks it sent; a failure keeps the error and queues the
    next try after the wait (BACKOFF), or gives up after MAX_ATTEMPTS with an error in the log."""
    delivery = _claim(pk)
    if delivery is None:
        return None
    webhook = delivery.webhook
    address, body = robots.request(
        webhook.flavor,
        webhook.url,
        webhook.secret,
        delivery.title,
        list(delivery.lines),
        delivery.url,
        int(timezone.now().timestamp() * 1000),
    )
    try:
        response = requests.post(address, json=body, timeout=TIMEOUT)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        error = robots.accepted(response.status_code, answer)
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    if not error:
        delivery.status, delivery.sent_at, delivery.next_attempt_at, delivery.last_error = (
            DeliveryStatus.SENT,
            timezone.now(),
            None,
            "",
        )
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at, delivery.last_error = DeliveryStatus.FAILED, None, error
        logger.error(
            "webhook %s (%s): delivery %s given up after %s attempts: %s", webhook.pk, webhook.name, pk, delivery.attempts, error
        )
    else:
        delivery.last_error = error
        logger.warning("webhook %s: delivery %s attempt %s failed: %s", webhook.pk, pk, delivery.attempts, error)
    delivery.save(update_fields=["status", "sent_at", "next_attempt_at", "last_error"])
    if error and delivery.status == DeliveryStatus.PENDING:
        _enqueue(delivery.pk, run_after=delivery.next_attempt_at)
    return delivery


def resend_stale() -> int:
    """Queue again every pending delivery that is due and has no task waiting (a lost task, a
    backend without deferred tasks). Answers how many."""
    due = Delivery.objects.filter(status=DeliveryStatus.PENDING).exclude(next_attempt_at__gt=timezone.now())
    ids = list(due.values_list("pk", flat=True))
    for pk in ids:
        _enqueue(pk)
    return len(ids)
