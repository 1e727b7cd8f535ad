"""Field definitions of a record kind: how each one is checked, becomes a form field, is stored
and is shown (STYLE.md "Configurable record kinds", after NetBox's CustomField).

A definition is a plain dict kept in ``RecordKind.fields`` / ``RecordKindVersion.fields``::

    {"key": "level", "label": "采用级别", "type": "choice", "required": true,
     "choices": ["中央", "自治区", "盟", "未采用"], "help": ""}

    number: "unit" (小时、篇、人次), "min", "max", "decimals" (0–2)
    text: "max_length" (default 200)

Values live in ``Record.data`` as JSON: text as str, number as a decimal string ("2.5", so the
points engine does exact arithmetic), date as ISO "2021-07-01", choice as the chosen label,
multichoice as a list of labels, person/unit as {"id": …, "name": …} (the name is kept so the
record still reads right if the person is later out of the reader's scope), file as nothing
(the files are Evidence rows carrying the field's key).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from xuebi.core import dates
from xuebi.core.forms import MultipleFileField, TypedDateField
from xuebi.org.widgets import PersonChoiceField

from .choices import FieldType

__all__ = [
    "validate_definitions",
    "build_form_fields",
    "values_from_form",
    "display_rows",
    "form_initial",
    "FIELD_PREFIX",
    "validate_values",
]

FIELD_PREFIX = "f_"
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
RESERVED_KEYS = {"occurred_on", "unit", "study_level", "author", "author_hours", "attendees", "evidence", "reason", "comment"}
DEFAULT_TEXT_LENGTH = 200


# --- definitions ------------------------------------------------------------------------------


def _number(value, label: str, what: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"字段“{label}”的{what}应为数字。") from None


def validate_definitions(fields: list[dict]) -> list[dict]:
    """Normalize and check a list of field definitions; raise ValidationError in Chinese."""
    if not isinstance(fields, list):
        raise ValidationError("字段定义应为列表。")
    seen: set[str] = set()
    normalized = []
    for index, raw in enumerate(fields, start=1):
        if not isinstance(raw, dict):
            raise ValidationError(f"第{index}个字段定义无效。")
        label = str(raw.get("label", "")).strip()
        key = str(raw.get("key", "")).strip()
        kind = str(raw.get("type", "")).strip()
        where = f"第{index}个字段“{label or key}”"
        if not label:
            raise ValidationError(f"第{index}个字段缺少名称。")
        if not KEY_RE.match(key):
            raise ValidationError(f"{where}的键“{key}”无效：须以小写英文字母开头，只含小写字母、数字和下划线。")
        if key in RESERVED_KEYS:
            raise ValidationError(f"{where}的键“{key}”为系统保留，请换一个。")
        if key in seen:
            raise ValidationError(f"{where}的键“{key}”与前面的字段重复。")
        seen.add(key)
        if kind not in FieldType.values:
            raise ValidationError(f"{where}的类型“{kind}”无效。")
        item: dict[str, Any] = {"key": key, "label": label, "type": kind, "required": bool(raw.get("required"))}
        if raw.get("help"):
            item["help"] = str(raw["help"]).strip()
        if kind == FieldType.NUMBER:
            low, high = _number(raw.get("min"), label, "最小值"), _number(raw.get("max"), label, "最大值")
            if low is not None and high is not None and low > high:
                raise ValidationError(f"{where}的最小值不能大于最大值。")
            if low is not None:
                item["min"] = str(low)
            if high is not None:
                item["max"] = str(high)
            decimals = raw.get("decimals", 1)
            try:
                decimals = int(decimals if decimals not in (None, "") else 1)
            except (TypeError, ValueError):
                raise ValidationError(f"{where}的小数位数应为 0、1 或 2。") from None
            if decimals not in (0, 1, 2):
                raise ValidationError(f"{where}的小数位数应为 0、1 或 2。")
            item["decimals"] = decimals
            if raw.get("unit"):
                item["unit"] = str(raw["unit"]).strip()
        if kind in (FieldType.CHOICE, FieldType.MULTICHOICE):
            choices = raw.get("choices") or []
            if isinstance(choices, str):
                choices = re.split(r"[\n、,，;；]+", choices)
            choices = [str(c).strip() for c in choices if str(c).strip()]
            if len(choices) < 2:
                raise ValidationError(f"{where}至少需要两个选项。")
            if len(set(choices)) != len(choices):
                raise ValidationError(f"{where}的选项有重复。")
            item["choices"] = choices
        if kind == FieldType.TEXT:
            item["max_length"] = int(raw.get("max_length") or DEFAULT_TEXT_LENGTH)
        normalized.append(item)
    return normalized


# --- form fields ------------------------------------------------------------------------------


def _label(definition: dict) -> str:
    unit = definition.get("unit")
    return f"{definition['label']}（{unit}）" if unit else definition["label"]


def build_form_field(definition: dict, *, people=None, units=None, has_files: bool = False) -> forms.Field:
    kind = definition["type"]
    common = {"label": _label(definition), "required": definition.get("required", False), "help_text": definition.get("help", "")}
    if kind == FieldType.TEXT:
        return forms.CharField(max_length=definition.get("max_length", DEFAULT_TEXT_LENGTH), **common)
    if kind == FieldType.TEXTAREA:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=20000, **common)
    if kind == FieldType.NUMBER:
        decimals = definition.get("decimals", 1)
        low = Decimal(definition["min"]) if "min" in definition else None
        high = Decimal(definition["max"]) if "max" in definition else None
        field = forms.DecimalField(
            max_digits=12,
            decimal_places=decimals,
            min_value=low,
            max_value=high,
            widget=forms.NumberInput(
                attrs={"inputmode": "decimal", "step": "1" if decimals == 0 else f"0.{'0' * (decimals - 1)}1"}
            ),
            **common,
        )
        field.error_messages.update(
            {
                "invalid": "请输入数字。",
                "max_decimal_places": f"最多保留 {decimals} 位小数。" if decimals else "请输入整数。",
            }
        )
        return field
    if kind == FieldType.DATE:
        return TypedDateField(allow_partial=False, **common)
    if kind == FieldType.CHOICE:
        choices = [("", "请选择")] + [(c, c) for c in definition["choices"]]
        return forms.ChoiceField(choices=choices, **common)
    if kind == FieldType.MULTICHOICE:
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in definition["choices"]], widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == FieldType.PERSON:
        return PersonChoiceField(people, action="pick", empty_label="请选择人员", **common)
    if kind == FieldType.UNIT:
        field = forms.ModelChoiceField(queryset=units, empty_label="请选择单位", **common)
        field.label_from_instance = lambda u: ("　" * max(u.depth - 1, 0)) + u.name
        return field
    if kind == FieldType.FILE:
        # A required file field is satisfied by files already attached (when editing).
        common["required"] = common["required"] and not has_files
        return MultipleFileField(**common)
    raise ValueError(kind)


def build_form_fields(definitions: list[dict], *, people=None, units=None, attached_keys=frozenset()) -> dict[str, forms.Field]:
    return {
        FIELD_PREFIX + d["key"]: build_form_field(d, people=people, units=units, has_files=d["key"] in attached_keys)
        for d in definitions
    }


def _store(definition: dict, value) -> Any:
    kind = definition["type"]
    if value in (None, "", [], ()):
        return None
    if kind == FieldType.NUMBER:
        return str(Decimal(value).quantize(Decimal(1).scaleb(-definition.get("decimals", 1))))
    if kind == FieldType.DATE:
        day = value.date if isinstance(value, dates.PartialDate) else value
        return day.isoformat()
    if kind == FieldType.MULTICHOICE:
        return list(value)
    if kind in (FieldType.PERSON, FieldType.UNIT):
        return {"id": value.pk, "name": value.name}
    if kind == FieldType.FILE:
        return None
    return value.strip() if isinstance(value, str) else value


def values_from_form(definitions: list[dict], cleaned: dict) -> tuple[dict, list[tuple[str, Any]]]:
    """(data for Record.data, [(field key, uploaded file)]) from a form's cleaned_data."""
    data, files = {}, []
    for d in definitions:
        value = cleaned.get(FIELD_PREFIX + d["key"])
        if d["type"] == FieldType.FILE:
            files.extend((d["key"], f) for f in value or [])
            continue
        stored = _store(d, value)
        if stored is not None:
            data[d["key"]] = stored
    return data, files


def form_initial(definitions: list[dict], data: dict) -> dict:
    """Form initial values from stored data (for editing and for corrections)."""
    initial = {}
    for d in definitions:
        value = data.get(d["key"])
        if value is None:
            continue
        if d["type"] in (FieldType.PERSON, FieldType.UNIT):
            value = value.get("id") if isinstance(value, dict) else value
        elif d["type"] == FieldType.DATE:
            value = dates.display(dt.date.fromisoformat(value))
        initial[FIELD_PREFIX + d["key"]] = value
    return initial


def validate_values(definitions: list[dict], raw: dict, *, people=None, units=None) -> tuple[dict, list[tuple[str, Any]]]:
    """Validate plain values (the API's JSON) with the same form fields the pages use.

    Returns (data, files); raises ValidationError keyed by field key with Chinese messages.
    """
    form = forms.Form(data={FIELD_PREFIX + k: v for k, v in raw.items()})
    form.fields.update(build_form_fields(definitions, people=people, units=units))
    for d in definitions:  # files come through the evidence endpoint, not JSON
        if d["type"] == FieldType.FILE:
            del form.fields[FIELD_PREFIX + d["key"]]
    # unknown keys are an error: a typo must not silently drop a value
    known = {d["key"] for d in definitions}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ValidationError({unknown[0]: f"该台账类型没有字段“{unknown[0]}”。"})
    if not form.is_valid():
        raise ValidationError(
            {
                name[len(FIELD_PREFIX) :]: [f"{form.fields[name].label}：{m}" for m in errors]
                for name, errors in form.errors.items()
            }
        )
    return values_from_form(definitions, form.cleaned_data)


# --- display ----------------------------------------------------------------------------------


def display_value(definition: dict, value) -> str:
    if value in (None, "", []):
        return ""
    kind = definition["type"]
    if kind == FieldType.NUMBER:
        text = format(Decimal(value).normalize(), "f")
        return f"{text} {definition['unit']}" if definition.get("unit") else text
    if kind == FieldType.DATE:
        try:
            return dates.display(dt.date.fromisoformat(value))
        except (TypeError, ValueError):
            return str(value)
    if kind == FieldType.MULTICHOICE:
        return "、".join(value) if isinstance(value, list) else str(value)
    if kind in (FieldType.PERSON, FieldType.UNIT):
        return value.get("name", "") if isinstance(value, dict) else str(value)
    return str(value)


def display_rows(definitions: list[dict], data: dict, evidence_by_key: dict | None = None) -> list[dict]:
    """[{label, type, text, files}] for a record, using the schema version it was written with.

    Values of fields that the version does not define are not shown; fields with no value show
    empty. That is what lets an old record render after its kind has changed.
    """
    rows = []
    for d in definitions:
        row = {"key": d["key"], "label": d["label"], "type": d["type"], "text": "", "files": []}
        if d["type"] == FieldType.FILE:
            row["files"] = (evidence_by_key or {}).get(d["key"], [])
        else:
            row["text"] = display_value(d, data.get(d["key"]))
        rows.append(row)
    return rows


def title_for(definitions: list[dict], data: dict, kind_name: str, day: dt.date) -> str:
    """The line a record is listed under: its 标题/主题 field if it has one, else kind and date."""
    preferred = ("title", "topic", "subject", "name")
    by_key = {d["key"]: d for d in definitions}
    for key in preferred:
        if key in by_key and data.get(key):
            return str(data[key])[:200]
    for d in definitions:
        if d["type"] == FieldType.TEXT and data.get(d["key"]):
            return f"{kind_name}：{data[d['key']]}"[:200]
    return f"{kind_name}（{dates.display(day)}）"
