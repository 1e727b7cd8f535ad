"""The audit log's 变更内容 as the pages show things: each change under its field's label (the
model field's verbose name, else a label of the key), values as a page would write them — a
choice by its label, a date as 2021年7月1日, a yes/no as 是/否, nothing as 空 — and 身份证号 and
phone numbers masked (masking.py). The page, the phone cards and the .xlsx export read the same text.

Keys inside a record's 内容 (``data``) are the fields of its 台账类型, which live in the ledger:
the ledger registers how to name them (``register_data_labels``), so this app imports no higher one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from xuebi.core.formatting import date_text

from .masking import mask_changes

__all__ = ["Change", "describe", "describe_all", "changes_text", "register_data_labels", "EMPTY"]

EMPTY = "空"
ARROW = " → "

# Keys that are not a field of the target's model (counts, files, people by name …).
KEY_LABELS = {
    "rows": "行数",
    "filter": "查询条件",
    "file": "文件",
    "created": "新增人数",
    "updated": "更新人数",
    "accounts": "账号",
    "people_changed": "积分变化人数",
    "gained": "积分增加人数",
    "lost": "积分减少人数",
    "field": "查看字段",
    "evidence": "佐证材料",
    "reason": "理由",
    "data": "内容",
    "members": "成员",
    "absentees": "缺席人员",
    "attendees": "参加人员",
    "session": "讲堂状态",
    "presenter": "主讲人",
    "record": "台账记录",
    "items": "学习内容数",
    "progress": "学习进度条数",
    "target_units": "学习对象",
    "study_list": "学习清单",
    "supersedes": "替代的规则",
    "superseded_by": "被新规则替代",
    "asked": "申请分值",
    "note": "说明",
    "points": "分值",
    "indicator": "考核指标",
    "role": "角色",
    "unit": "单位",
    "username": "用户名",
    "full_name": "姓名",
    "fields": "字段",
    "lookup": "选项分值",
    "decision_comment": "审批意见",
    "review_comment": "审核意见",
    "status": "状态",
    "kind": "台账类型",
    "author": "记录人",
    "title": "标题",
    "topic": "主题",
    "planned_on": "计划日期",
    "version": "版本",
    "name": "名称",
    "id": "编号",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")

# target_type → f(target ids) → {target id: {key in ``data``: label}}
DATA_LABELS: dict[str, Callable[[list[str]], dict[str, dict[str, str]]]] = {}


def register_data_labels(target_type: str, resolver: Callable[[list[str]], dict[str, dict[str, str]]]) -> None:
    """``resolver(ids)`` names the keys of the ``data`` of these targets (one read for a page)."""
    DATA_LABELS[target_type] = resolver


class Change:
    """One line of 变更内容: ``label``, and ``before``/``after`` as text (``before`` None: a value
    given, not a change)."""

    def __init__(self, label: str, after: str, before: str | None = None):
        self.label, self.after, self.before = label, after, before

    def __str__(self) -> str:
        if self.before is None:
            return f"{self.label}：{self.after}"
        return f"{self.label}：{self.before}{ARROW}{self.after}"


def _model(target_type: str):
    if not target_type or "." not in target_type:
        return None
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def _field(model, key: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def _label(key: str, field, labels: dict[str, str] | None = None) -> str:
    if labels and key in labels:
        return labels[key]
    verbose = str(getattr(field, "verbose_name", "") or "")
    if verbose and not verbose.isascii():  # Django's default ("is active") is the key in English
        return verbose
    return KEY_LABELS.get(key, key)


def value_text(value: Any, field=None, labels: dict[str, str] | None = None) -> str:
    """A value as a page shows it."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if field is not None and getattr(field, "choices", None) and not field.is_relation:
        shown = dict(field.flatchoices).get(value)
        if shown is not None:
            return str(shown)
    if isinstance(value, str):
        if _DATE.match(value):
            try:
                return date_text(dt.date.fromisoformat(value))
            except ValueError:
                return value
        if _DATETIME.match(value):
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                return value
            return f"{date_text(moment)} {moment:%H:%M}"
        return value
    if isinstance(value, list):
        if value and all(isinstance(v, dict) and "label" in v for v in value):  # a kind's field definitions
            return "、".join(str(v["label"]) for v in value)
        return "、".join(value_text(v) for v in value)
    if isinstance(value, dict):
        if set(value) <= {"id", "name"} and "name" in value:  # a person or unit picked on a form
            return str(value["name"])
        order = list(labels or ())  # a kind's fields in their order (PostgreSQL's jsonb keeps keys sorted its own way)
        items = sorted(value.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
        return "，".join(f"{_label(str(k), None, labels)}：{value_text(v, labels=labels)}" for k, v in items)
    return str(value)


def describe(entry, data_labels: dict[str, str] | None = None) -> list[Change]:
    """The entry's changes, one ``Change`` per key, in the order they were written."""
    model = _model(entry.target_type)
    changes = []
    # the model's field order, then the other keys as written (jsonb on PostgreSQL reorders them)
    order = [f.name for f in model._meta.get_fields()] if model is not None else []
    items = sorted(mask_changes(entry.changes or {}).items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
    for key, value in items:
        field = _field(model, str(key))
        inner = data_labels if key == "data" else None
        label = _label(str(key), field)
        if (
            isinstance(value, list)
            and len(value) == 2
            and not (value and all(isinstance(v, str) for v in value) and key in ("accounts", "members", "attendees"))
        ):
            before, after = value
            if before is None or (before in ("", [], {}) and entry.action.endswith(".create")):
                changes.append(Change(label, value_text(after, field, inner)))
            else:
                changes.append(Change(label, value_text(after, field, inner), value_text(before, field, inner)))
        else:
            changes.append(Change(label, value_text(value, field, inner)))
    return changes


def describe_all(entries: Iterable) -> list:
    """Each entry with ``readable`` set to its changes — the labels of records' 内容 read once for
    all of them (``register_data_labels``)."""
    entries = list(entries)
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        if entry.target_type in DATA_LABELS and "data" in (entry.changes or {}):
            wanted.setdefault(entry.target_type, set()).add(entry.target_id)
    found = {(kind, pk): names for kind, ids in wanted.items() for pk, names in DATA_LABELS[kind](sorted(ids)).items()}
    for entry in entries:
        entry.readable = describe(entry, found.get((entry.target_type, entry.target_id)))
    return entries


def changes_text(entry, data_labels: dict[str, str] | None = None) -> str:
    """The changes as one line (the export's cell)."""
    changes = getattr(entry, "readable", None)
    if changes is None:
        changes = describe(entry, data_labels)
    return "；".join(str(c) for c in changes)
