from __future__ import annotations

from django import forms

from xuebi.core.forms import StyledFormMixin, TypedDateField

from .models import Action, Outcome


class AuditFilterForm(StyledFormMixin, forms.Form):
    user = forms.CharField(label="操作人", required=False)
    target = forms.CharField(label="对象", required=False, help_text="对象名称或编号")
    action = forms.ChoiceField(label="操作", required=False, choices=[("", "全部")] + list(Action.choices))
    outcome = forms.ChoiceField(label="结果", required=False, choices=[("", "全部")] + list(Outcome.choices))
    start = TypedDateField(label="起始日期", required=False, allow_partial=False)
    end = TypedDateField(label="截止日期", required=False, allow_partial=False)

    def filter(self, qs):
        data = self.cleaned_data
        if data.get("user"):
            qs = qs.filter(actor_name__icontains=data["user"])
        if data.get("target"):
            t = data["target"]
            qs = qs.filter(target_repr__contains=t) | qs.filter(target_id=t)
        if data.get("action"):
            qs = qs.filter(action=data["action"])
        if data.get("outcome"):
            qs = qs.filter(outcome=data["outcome"])
        if data.get("start"):
            qs = qs.filter(at__date__gte=data["start"].date)
        if data.get("end"):
            qs = qs.filter(at__date__lte=data["end"].date)
        return qs
