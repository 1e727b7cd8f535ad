"""Forms of the score sheet. The rule form only parses what people type; ``rules.check_rule`` is the
one validator (the page, the API and the demo loader all run it), and its messages land on the
form's fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from xuebi.core.forms import NameField, StyledFormMixin

from .. import sources
from ..choices import Dimension, Recipients, RuleMethod
from ..models import Campaign, Indicator, Rule
from ..services.rules import RULE_ATTRS, check_rule, kind_field_options, lookup_as_text

__all__ = ["IndicatorForm", "RuleForm", "active_kinds"]

DECIMAL = {"max_digits": 10, "decimal_places": 2}


def active_kinds():
    return sources.kinds()


def _cap_field(label: str) -> forms.DecimalField:
    """A cap (每日/每周/每月/活动期间上限): optional, above zero, its messages naming it."""
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0.01,
        **DECIMAL,
        error_messages={"min_value": f"{label}应大于0；不设上限请留空。", "invalid": f"{label}应为数字。"},
    )


class IndicatorForm(StyledFormMixin, forms.Form):
    dimension = forms.ChoiceField(
        label="类别",
        choices=Dimension.choices,
        error_messages={"required": "请选择类别。", "invalid_choice": "请选择类别（学理论、学业务、比党性、比工作）。"},
    )
    name = NameField(label="指标名称", max_length=100, error_messages={"required": "请填写指标名称。"})
    max_points = forms.DecimalField(
        label="满分（上限）",
        required=False,
        min_value=0.01,
        **DECIMAL,
        help_text="本活动期间每人在该指标上的最高得分；空为不设上限",
        error_messages={"min_value": "满分应大于0；不设上限请留空。", "invalid": "满分应为数字。"},
    )
    sort_order = forms.IntegerField(
        label="排序", min_value=0, max_value=100000, initial=100, required=False, help_text="数字小的排在前面"
    )

    def __init__(self, *args, instance: Indicator | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "dimension": instance.dimension,
                    "name": instance.name,
                    "max_points": instance.max_points,
                    "sort_order": instance.sort_order,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["placeholder"] = "如 理论学习"
        self.fields["max_points"].widget.attrs["inputmode"] = "decimal"

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("请填写指标名称。")
        return name

    def clean_sort_order(self):
        value = self.cleaned_data.get("sort_order")
        return 100 if value is None else value

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("dimension", "name", "max_points", "sort_order")}


class RuleForm(StyledFormMixin, forms.Form):
    name = NameField(label="规则名称", max_length=100, error_messages={"required": "请填写规则名称。"})
    indicator = forms.ModelChoiceField(
        label="考核指标",
        queryset=Indicator.objects.none(),
        error_messages={"required": "请选择考核指标。", "invalid_choice": "请选择本活动的考核指标。"},
    )
    source_kind = forms.CharField(
        label="台账类型",
        max_length=40,
        error_messages={"required": "请选择台账类型。"},
        help_text="该类台账记录审核通过后按本规则计分",
    )
    method = forms.ChoiceField(
        label="计分方式",
        choices=RuleMethod.choices,
        error_messages={"invalid_choice": "请选择计分方式（每项固定分值、按数值计分或按选项计分）。"},
    )
    points = forms.DecimalField(
        label="分值",
        required=False,
        min_value=0.01,
        **DECIMAL,
        help_text="每项固定分值，或按数值计分时每单位的分值（如每学时0.5分）；按选项计分时不填",
        error_messages={"min_value": "分值应大于0。", "invalid": "分值应为数字。"},
    )
    field_key = forms.CharField(
        label="计分字段",
        max_length=40,
        required=False,
        help_text="按数值计分：学时或数字字段；按选项计分或“每个选项只计一次”：单选字段",
    )
    lookup = forms.CharField(
        label="选项分值",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="按选项计分时填写，每行一个“选项=分值”，如 中央=10",
    )
    recipients = forms.ChoiceField(
        label="得分人", choices=Recipients.choices, initial=Recipients.AUTHOR, error_messages={"invalid_choice": "请选择得分人。"}
    )
    cap_day = _cap_field("每日上限")
    cap_week = _cap_field("每周上限")
    cap_month = _cap_field("每月上限")
    cap_campaign = _cap_field("活动期间上限")
    once_per_value = forms.BooleanField(
        label="每个选项只计一次", required=False, help_text="如廉政“六个一”：每个项目在活动期间只计一次（须选择单选字段）"
    )

    def __init__(self, *args, campaign: Campaign, instance: Rule | None = None, kinds=None, **kwargs):
        self.campaign = campaign
        if instance is not None:
            initial = {name: getattr(instance, name) for name in RULE_ATTRS}
            initial["lookup"] = lookup_as_text(instance.lookup)
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.filter(campaign=campaign)
        self.fields["indicator"].empty_label = "— 请选择 —"
        self.fields["indicator"].label_from_instance = lambda i: f"{i.get_dimension_display()} · {i.name}"
        self.kinds = {k.code: k for k in (kinds if kinds is not None else active_kinds())}
        kind_choices = [("", "— 请选择 —")] + [(code, f"{k.name}（{code}）") for code, k in self.kinds.items()]
        current_kind = self.data.get("source_kind") if self.is_bound else self.initial.get("source_kind")
        if current_kind and current_kind not in self.kinds:
            kind_choices.append((current_kind, f"{current_kind}（已停用）"))
        self.fields["source_kind"].widget = forms.Select(choices=kind_choices, attrs={"class": "form-select"})
        self.fields["field_key"].widget = forms.Select(
            choices=self.field_key_choices(current_kind), attrs={"class": "form-select"}
        )
        self.fields["name"].widget.attrs["placeholder"] = "如 自学每项1分"
        self.fields["lookup"].widget.attrs["placeholder"] = "中央=10\n自治区=5\n盟=2\n未采用=0.5"
        for name in ("points", "cap_day", "cap_week", "cap_month", "cap_campaign"):
            self.fields[name].widget.attrs["inputmode"] = "decimal"

    def field_key_choices(self, kind_code: str | None) -> list[tuple[str, str]]:
        """The selected kind's fields that a rule may count on; the current value is kept even if unfit,
        so the check can say what is wrong with it."""
        choices = [("", "— 不按字段 —")] + kind_field_options(self.kinds.get(kind_code or ""))
        current = self.data.get("field_key") if self.is_bound else self.initial.get("field_key")
        if current and current not in {key for key, _ in choices}:
            choices.append((current, current))
        return choices

    def clean(self):
        cleaned = super().clean()
        # Checked even when a field could not be read, so that every problem shows at once; a field
        # that already has its own error does not get a second one.
        unreadable = set(self.errors)
        try:
            self.checked = check_rule({name: cleaned.get(name) for name in RULE_ATTRS}, campaign=self.campaign)
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                if field not in unreadable:
                    self.add_error(field if field in self.fields else None, errors)
        return cleaned

    def values(self) -> dict:
        return {name: self.checked[name] for name in RULE_ATTRS if name != "source_type"}
