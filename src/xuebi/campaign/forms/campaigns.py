from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from xuebi.core.forms import NameField, StyledFormMixin, TypedDateField

from ..models import Campaign
from ..services.campaigns import CAMPAIGN_ATTRS


class CampaignForm(StyledFormMixin, forms.ModelForm):
    """The one validator of a campaign: the pages and the API both use it. The model's own
    ``clean`` says "结束日期不能早于开始日期。"."""

    start_date = TypedDateField(label="开始日期", allow_partial=False)
    end_date = TypedDateField(label="结束日期", allow_partial=False)

    class Meta:
        model = Campaign
        fields = CAMPAIGN_ATTRS
        field_classes = {"name": NameField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["placeholder"] = "如 2026年双学双比"

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("请填写活动名称。")
        return name

    # TypedDateField gives a PartialDate; the model keeps a plain date.
    def clean_start_date(self):
        return self.cleaned_data["start_date"].date

    def clean_end_date(self):
        return self.cleaned_data["end_date"].date

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in CAMPAIGN_ATTRS}
