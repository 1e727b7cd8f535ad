"""What a person types: opening a round, a 小结, the 公示 dates, an approval, an objection and its reply. The grades
are read from the round page's selects by the view (one per sheet) and checked by the service."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone

from xuebi.core.forms import StyledFormMixin, TypedDateField
from xuebi.org.models import Unit

from .models import Kind
from .services import SUMMARY_MAX, TEXT_MAX

__all__ = ["OpenForm", "SummaryForm", "PublicityForm", "ApprovalForm", "ObjectionForm", "ReplyForm", "BasisForm", "day"]

QUARTERS = [(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")]


def day(value):
    return value.date if value is not None and hasattr(value, "date") and not callable(value.date) else value


class OpenForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label="考核单位", queryset=Unit.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label="考核类型", choices=Kind.choices)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label="季度", choices=QUARTERS, coerce=int, required=False, help_text="平时考核填写")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user, "change").filter(is_active=True).order_by("path")
        today = timezone.localdate()
        self.initial.setdefault("year", today.year)
        self.initial.setdefault("quarter", (today.month - 1) // 3 + 1)
        self.style_fields()


class SummaryForm(StyledFormMixin, forms.Form):
    summary = forms.CharField(
        label="个人小结",
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"本季度（年度）主要工作、学习和不足，{SUMMARY_MAX}字以内。",
        error_messages={"required": "请填写个人小结。", "max_length": f"个人小结不能超过{SUMMARY_MAX}字。"},
    )


class PublicityForm(StyledFormMixin, forms.Form):
    start = TypedDateField(label="公示开始", allow_partial=False)
    end = TypedDateField(label="公示结束", allow_partial=False)

    def clean_start(self):
        return day(self.cleaned_data["start"])

    def clean_end(self):
        return day(self.cleaned_data["end"])


class ApprovalForm(StyledFormMixin, forms.Form):
    share = forms.CharField(label="批准的优秀比例", max_length=10, help_text="如 25%")
    approved_by = forms.CharField(label="批准单位（人）", max_length=100)
    document = forms.CharField(label="批准文号", max_length=100, help_text="如 锡组字〔2026〕45号")

    def clean_share(self):
        text = self.cleaned_data["share"].strip().rstrip("%％").strip()
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError("请填写百分比，如 25%。") from None
        return value / 100 if value > 1 else value


class ObjectionForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label="异议内容", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class ReplyForm(StyledFormMixin, forms.Form):
    reply = forms.CharField(label="答复", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class BasisForm(StyledFormMixin, forms.Form):
    """The unit, the year and the weights of the 评优评先 basis (GET: a question, not a write)."""

    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none(), empty_label=None)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, error_messages={"invalid": "年度应为数字。"})

    def __init__(self, *args, user, weights: dict[str, int], labels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user, "change").filter(is_active=True).order_by("path")
        self.initial.setdefault("year", timezone.localdate().year)
        first = self.fields["unit"].queryset.first()
        if first is not None:
            self.initial.setdefault("unit", first.pk)
        self.weight_keys = list(weights)
        for key, weight in weights.items():
            self.fields[f"w_{key}"] = forms.IntegerField(
                label=f"{labels.get(key, key)}权重",
                min_value=0,
                max_value=100,
                required=False,
                error_messages={"invalid": "权重应为0至100的整数。"},
            )
            self.initial.setdefault(f"w_{key}", weight)
        self.style_fields()

    def weights(self) -> dict[str, int]:
        return {
            key: self.cleaned_data[f"w_{key}"] if self.cleaned_data.get(f"w_{key}") is not None else self.initial[f"w_{key}"]
            for key in self.weight_keys
        }
