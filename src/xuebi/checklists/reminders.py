"""The daily reminder sweep (``jobs.schedule``, "checklists.reminders").

For every open item with a due date (closed and cancelled ones never):
* ``XUEBI_CHECKLIST_REMIND_DAYS`` days before it is due (or later, if a day was missed) the
  responsible person is told once: key ``cl:soon:<item>:<due date>``;
* on the due date, once: ``cl:today:…``;
* from the day after, once every ``XUEBI_CHECKLIST_OVERDUE_EVERY_DAYS`` days, the responsible
  person and the administrators of the responsible unit (the nearest level that has any):
  ``cl:late:<item>:<due date>:<n>`` — the n-th reminder, so a day the sweep did not run is caught
  up the next day with one message, not several.

The key is part of each message (``notifications.Message.key``): the centre stores a key once per
account, so running the sweep again the same day — or two workers running it — sends nothing
twice. A changed due date starts the reminders again. Each unit's group robot gets one digest a
day of its subtree's items that came up (robots limit messages per minute; a message per item
would be lost)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.utils import timezone

from xuebi.core.formatting import date_text
from xuebi.notifications import services as notifications
from xuebi.notifications.models import Webhook
from xuebi.org.choices import ADMIN_ROLES
from xuebi.org.models import RoleGrant, User

from .models import ListKind, OPEN_STATUSES, Item

__all__ = ["sweep", "due_messages"]

LIST_NAMES = {kind.value: str(kind.label) for kind in ListKind}


def _admins_by_path() -> dict[str, set[int]]:
    admins: dict[str, set[int]] = defaultdict(set)
    rows = RoleGrant.objects.filter(role__in=ADMIN_ROLES, user__is_active=True, unit__isnull=False).values_list(
        "unit__path", "user_id"
    )
    for path, user_id in rows:
        admins[path].add(user_id)
    return admins


def _nearest(admins: dict[str, set[int]], path: str, cache: dict[str, frozenset[int]]) -> frozenset[int]:
    """The administrators of the deepest unit at or above ``path`` that has any."""
    if path not in cache:
        best = max((p for p in admins if path.startswith(p)), key=len, default=None)
        cache[path] = frozenset(admins[best]) if best else frozenset()
    return cache[path]


def due_messages(today: dt.date) -> tuple[list[notifications.Message], list[dict]]:
    """The messages of one day's sweep (before any is found sent), and the items that came up."""
    remind_days = max(settings.XUEBI_CHECKLIST_REMIND_DAYS, 0)
    every = max(settings.XUEBI_CHECKLIST_OVERDUE_EVERY_DAYS, 1)
    rows = list(
        Item.objects.filter(status__in=OPEN_STATUSES, due_date__lte=today + dt.timedelta(days=remind_days))
        .order_by("due_date", "pk")
        .values(
            "pk",
            "kind",
            "title",
            "due_date",
            "responsible_person_id",
            "responsible_person__name",
            "responsible_unit__path",
            "responsible_unit__name",
        )
    )
    people = {r["responsible_person_id"] for r in rows if r["responsible_person_id"]}
    accounts: dict[int, int] = {}
    for start in range(0, len(people), 1000):  # an IN list the databases take
        chunk = list(people)[start : start + 1000]
        accounts.update(User.objects.filter(person_id__in=chunk, is_active=True).values_list("person_id", "pk"))
    admins, nearest_cache = _admins_by_path(), {}
    messages, came_up = [], []
    for row in rows:
        due, pk = row["due_date"], row["pk"]
        days = (due - today).days
        what = f"{LIST_NAMES[row['kind']]}事项“{row['title']}”"
        url = f"/checklists/items/{pk}/"
        recipients = {accounts[row["responsible_person_id"]]} if row["responsible_person_id"] in accounts else set()
        if days > 0:
            key, title, topic = f"cl:soon:{pk}:{due}", f"还有 {days} 天到期：{row['title']}", "checklists.due_soon"
            body = f"{what}的完成时限是 {date_text(due)}，请按时完成并申请验收。"
        elif days == 0:
            key, title, topic = f"cl:today:{pk}:{due}", f"今天到期：{row['title']}", "checklists.due_today"
            body = f"{what}今天（{date_text(due)}）到期，完成后请申请验收。"
        else:
            late = -days
            key, title, topic = (
                f"cl:late:{pk}:{due}:{(late - 1) // every}",
                f"已逾期 {late} 天：{row['title']}",
                "checklists.overdue",
            )
            body = f"{what}已超过完成时限（{date_text(due)}）{late} 天，责任单位：{row['responsible_unit__name']}，责任人：{row['responsible_person__name'] or '未指定'}。"
            recipients |= _nearest(admins, row["responsible_unit__path"], nearest_cache)
        messages += [notifications.Message(user_id, title, body, url, topic, key) for user_id in sorted(recipients)]
        came_up.append({**row, "days": days, "key": key})
    return messages, came_up


def _line(row: dict) -> str:
    days = row["days"]
    when = f"逾期 {-days} 天" if days < 0 else ("今天到期" if days == 0 else f"{days} 天后到期")
    who = row["responsible_person__name"] or "未指定责任人"
    return f"【{when}】{row['title']}（{row['responsible_unit__name']}，{who}）"


def sweep(today: dt.date | None = None) -> dict[str, int]:
    """Send the day's reminders; answer how many messages and robot digests were new."""
    today = today or timezone.localdate()
    messages, came_up = due_messages(today)
    sent = notifications.notify(messages)
    posted = 0
    if came_up:
        for webhook in Webhook.objects.filter(is_active=True).select_related("unit"):
            mine = [row for row in came_up if row["responsible_unit__path"].startswith(webhook.unit.path)]
            if not mine:
                continue
            late = sum(1 for row in mine if row["days"] < 0)
            title = f"学比清单提醒（{date_text(today)}）：{webhook.unit.name}到期 {len(mine) - late} 项，逾期 {late} 项"
            lines = [_line(row) for row in sorted(mine, key=lambda r: (r["days"], r["pk"]))]
            if notifications.post(
                webhook, key=f"cl:digest:{today}", title=title, lines=lines, url=notifications.absolute("/checklists/due/")
            ):
                posted += 1
    return {"notified": sent, "posted": posted}
