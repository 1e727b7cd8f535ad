"""Forms for record kinds (台账类型): the kind's attributes and its field editor.

The field editor is a formset of rows, one per field definition. The rows only help people type
definitions; ``schema.validate_definitions`` stays the one judge of what a valid definition is,
so the pages and the API (which shares ``fill_missing_keys`` and ``locate_definition_error``)
accept and refuse exactly the same kinds.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from xuebi.core import pinyin
from xuebi.core.forms import NameField, StyledFormMixin

from ..choices import FieldType
from ..models import RecordKind
from ..schema import RESERVED_KEYS, validate_definitions
from ..services.kinds import KIND_ATTRS

__all__ = [
    "KindForm",
    "FieldRowForm",
    "FieldFormSet",
    "field_formset",
    "definitions_initial",
    "fill_missing_keys",
    "suggest_key",
    "locate_definition_error",
    "EXTRA_ROWS",
]

EXTRA_ROWS = 3
MAX_FIELDS = 40
KEY_LENGTH = 40


# --- the kind's attributes --------------------------------------------------------------------


class KindForm(StyledFormMixin, forms.ModelForm):
    """A kind's attributes. The code is fixed once created: reports (三会一课 compliance) and
    rules find kinds by code, so renaming it would silently detach them."""

    class Meta:
        model = RecordKind
        fields = KIND_ATTRS
        field_classes = {"name": NameField}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "code": "小写英文字母、数字和下划线，如 self_study；创建后不可修改。",
            "sort_order": "数字小的排在前面。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sort_order"].widget.attrs["inputmode"] = "numeric"
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = "代码创建后不可修改：统计和积分规则按代码识别台账类型。"

    def clean_code(self):
        code = self.cleaned_data["code"].strip().lower()
        if not re.fullmatch(r"[a-z][a-z0-9_]*", code):
            raise ValidationError("代码须以小写英文字母开头，只含小写字母、数字和下划线。")
        return code

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("请填写名称。")
        return name

    def attrs(self) -> dict:
        """The attributes for ``kind_create``/``kind_update`` (without the code once it is fixed)."""
        return {k: v for k, v in self.cleaned_data.items() if k in KIND_ATTRS and not self.fields[k].disabled}


# --- field definitions --------------------------------------------------------------------------


def suggest_key(label: str, taken: set[str]) -> str:
    """A key from the label's pinyin (学习内容 → xuexineirong), unique among ``taken``.

    People think of fields by their Chinese names; asking every admin to invent an English key
    would get keys like "a1". Letters and digits typed in the label (PPT页数) are kept as well.
    """
    base = re.sub(r"[^a-z0-9]", "", pinyin.full(label)) or re.sub(r"[^a-z0-9]", "", label.lower())
    if not base or not base[0].isalpha():
        base = "f" + base if base else "field"
    base = base[: KEY_LENGTH - 3]
    key, n = base, 2
    while key in taken or key in RESERVED_KEYS:
        key, n = f"{base}{n}", n + 1
    return key


def fill_missing_keys(definitions: list[dict]) -> list[dict]:
    """Give every definition without a key one suggested from its label (in place; returned)."""
    taken = {str(d.get("key") or "").strip() for d in definitions}
    for d in definitions:
        if not str(d.get("key") or "").strip() and str(d.get("label") or "").strip():
            d["key"] = suggest_key(str(d["label"]).strip(), taken)
            taken.add(d["key"])
    return definitions


def locate_definition_error(definitions: list[dict]) -> tuple[int, ValidationError] | None:
    """(index of the first bad definition, its error) or None when all are valid.

    ``validate_definitions`` stops at the first problem; the shortest failing prefix tells which
    row that is, so the page can mark the row and the API can name ``fields[i]``.
    """
    try:
        validate_definitions(definitions)
    except ValidationError as exc:
        for end in range(1, len(definitions) + 1):
            try:
                validate_definitions(definitions[:end])
            except ValidationError:
                return end - 1, exc
        return 0, exc
    return None


DECIMAL_CHOICES = [("0", "整数"), ("1", "1位小数"), ("2", "2位小数")]
# which option inputs matter for which types (kinds.js hides the others; the server ignores them)
OPTION_TYPES = {
    "unit": "number",
    "min": "number",
    "max": "number",
    "decimals": "number",
    "choices": "choice multichoice",
    "max_length": "text",
}


class FieldRowForm(StyledFormMixin, forms.Form):
    """One field definition as a person types it. Numbers stay text here so that
    ``validate_definitions`` says what is wrong with them, in the same words as the API."""

    label = forms.CharField(label="字段名称", max_length=50, widget=forms.TextInput(attrs={"placeholder": "如 学习内容"}))
    key = forms.CharField(
        label="键",
        max_length=KEY_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "留空则按拼音生成", "autocapitalize": "off", "spellcheck": "false"}),
    )
    type = forms.ChoiceField(label="类型", choices=FieldType.choices, initial=FieldType.TEXT)
    required = forms.BooleanField(label="必填", required=False)
    unit = forms.CharField(label="单位", max_length=10, required=False, widget=forms.TextInput(attrs={"placeholder": "如 小时"}))
    min = forms.CharField(label="最小值", max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    max = forms.CharField(label="最大值", max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    decimals = forms.ChoiceField(label="小数位数", choices=DECIMAL_CHOICES, initial="1", required=False)
    max_length = forms.IntegerField(
        label="最多字数",
        min_value=1,
        max_value=2000,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "200"}),
    )
    choices = forms.CharField(
        label="选项",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "每行一个，或用、分隔"}),
    )
    help = forms.CharField(label="填写说明", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, types in OPTION_TYPES.items():
            self.fields[name].show_for = types

    def definition(self) -> dict:
        """The row as a raw definition for ``validate_definitions``."""
        data = self.cleaned_data
        raw = {
            "key": data["key"].strip(),
            "label": data["label"].strip(),
            "type": data["type"],
            "required": data["required"],
            "help": data["help"].strip(),
        }
        if data["type"] == FieldType.NUMBER:
            raw.update(
                unit=data["unit"].strip(), min=data["min"].strip(), max=data["max"].strip(), decimals=data["decimals"] or 1
            )
        if data["type"] in (FieldType.CHOICE, FieldType.MULTICHOICE):
            raw["choices"] = data["choices"]
        if data["type"] == FieldType.TEXT and data["max_length"]:
            raw["max_length"] = data["max_length"]
        return raw


class FieldFormSet(forms.BaseFormSet):
    """The rows in the order of their 排序 numbers (blank last), deleted and untouched rows left out.

    After ``is_valid()``, ``definitions`` holds the normalized list for the kind services.
    """

    definitions: list[dict] | None = None

    def add_fields(self, form, index):
        # ORDER and DELETE arrive after StyledFormMixin ran (also on empty_form): style them here.
        super().add_fields(form, index)
        form.fields["ORDER"].label = "排序"
        form.fields["ORDER"].widget.attrs.update({"class": "form-control", "inputmode": "numeric"})
        form.fields["DELETE"].label = "删除此字段"
        form.fields["DELETE"].widget.attrs.update({"class": "form-check-input"})

    def kept_forms(self) -> list[FieldRowForm]:
        initial_count = self.initial_form_count()
        kept = [
            (form.cleaned_data.get("ORDER"), index, form)
            for index, form in enumerate(self.forms)
            if (index < initial_count or form.has_changed()) and not self._should_delete_form(form)
        ]
        kept.sort(key=lambda item: (item[0] is None, item[0] or 0, item[1]))
        return [form for _order, _index, form in kept]

    def clean(self):
        if any(self.errors):
            return
        rows = self.kept_forms()
        raw = fill_missing_keys([form.definition() for form in rows])
        found = locate_definition_error(raw)
        if found is not None:
            index, error = found
            rows[index].add_error(None, error)
            raise ValidationError(error.messages)
        self.definitions = validate_definitions(raw)


def definitions_initial(definitions: list[dict]) -> list[dict]:
    """Row initial values from stored definitions (the inverse of ``FieldRowForm.definition``)."""
    rows = []
    for d in definitions:
        row = {k: d.get(k, "") for k in ("key", "label", "type", "unit", "min", "max", "help")}
        row["required"] = d.get("required", False)
        row["decimals"] = str(d.get("decimals", 1))
        row["choices"] = "\n".join(d.get("choices", []))
        row["max_length"] = d.get("max_length")
        rows.append(row)
    return rows


def field_formset(data=None, *, definitions: list[dict] | None = None) -> FieldFormSet:
    formset_class = forms.formset_factory(
        FieldRowForm,
        formset=FieldFormSet,
        extra=EXTRA_ROWS,
        can_order=True,
        can_delete=True,
        max_num=MAX_FIELDS,
        validate_max=True,
    )
    return formset_class(data, prefix="fields", initial=definitions_initial(definitions or []))
