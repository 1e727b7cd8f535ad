from __future__ import annotations

from django import forms

from xuebi.campaign.models import Indicator
from xuebi.core.forms import StyledFormMixin, TypedDateField
from xuebi.org.models import Person


class AdjustForm(StyledFormMixin, forms.Form):
    person = forms.ModelChoiceField(label="人员", queryset=Person.objects.none())
    indicator = forms.ModelChoiceField(label="考核指标", queryset=Indicator.objects.none())
    points = forms.DecimalField(label="分值", max_digits=8, decimal_places=2, help_text="加分填正数，扣分填负数")
    occurred_on = TypedDateField(label="日期", allow_partial=False)
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=200)

    def __init__(self, *args, user, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.visible_to(user, "change").filter(status="active").select_related("unit")
        self.fields["person"].label_from_instance = lambda p: f"{p.name}（{p.unit.short_name or p.unit.name}）"
        self.fields["indicator"].queryset = Indicator.objects.filter(campaign=campaign)
        self.fields["indicator"].label_from_instance = lambda i: f"{i.get_dimension_display()} · {i.name}"
