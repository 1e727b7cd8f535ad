"""What an edit changed, as a reader of the record page would say it: “学习内容：甲 → 乙”.

A record's state is read as the page shows it — field labels of the schema version it was
written with, choice labels, person and unit names, dates as 2021年7月1日 — so the history line
names what the author changed, not the JSON that holds it.
"""

from __future__ import annotations

from decimal import Decimal

from xuebi.core import dates

from . import schema
from .choices import ParticipantRole
from .models import Record

__all__ = ["shown_state", "describe"]

EMPTY = "（空）"


def _hours(value) -> str:
    return f"{Decimal(value).normalize():f}" if value not in (None, "") else ""


def shown_state(record: Record) -> dict:
    """label → the text the record page shows, plus the attendees (name → hours) and files."""
    shown = {
        "日期": dates.display(record.occurred_on),
        "所属单位": record.unit.name,
        "记录人": record.author.name,
    }
    if record.study_level:
        shown["学习层级"] = record.get_study_level_display()
    for row in schema.display_rows(record.schema.fields, record.data):
        if row["type"] != "file":
            shown[row["label"]] = row["text"]
    attendees = {}
    for p in record.participants.select_related("person").order_by("pk"):
        if p.role == ParticipantRole.AUTHOR and p.person_id == record.author_id and not record.kind.is_group:
            if p.hours is not None and "学时" not in shown:
                shown["学时"] = _hours(p.hours)
        else:
            attendees[p.person.name] = _hours(p.hours)
    return {"fields": shown, "attendees": attendees}


def describe(before: dict, after: dict, *, added_files: list[str] = (), removed_files: list[str] = ()) -> list[str]:
    """One line per change, in the order the page shows the fields."""
    lines = []
    old, new = before["fields"], after["fields"]
    for label in list(dict.fromkeys([*new, *old])):
        if old.get(label, "") != new.get(label, ""):
            lines.append(f"{label}：{old.get(label) or EMPTY} → {new.get(label) or EMPTY}")
    was, now = before["attendees"], after["attendees"]
    joined = [name for name in now if name not in was]
    left = [name for name in was if name not in now]
    if joined:
        lines.append(f"增加参加人员：{'、'.join(joined)}")
    if left:
        lines.append(f"移除参加人员：{'、'.join(left)}")
    for name in now:
        if name in was and was[name] != now[name]:
            lines.append(f"{name}的学时：{was[name] or EMPTY} → {now[name] or EMPTY}")
    if added_files:
        lines.append(f"上传附件：{'、'.join(added_files)}")
    if removed_files:
        lines.append(f"删除附件：{'、'.join(removed_files)}")
    return lines
