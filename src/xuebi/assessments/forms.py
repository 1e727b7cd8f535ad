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

__all__ = ["OpenForm", "SummaryForm", "PublicityForm", "ApprovalForm", "ObjectionForm", "ReplyForm", "day"]

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
