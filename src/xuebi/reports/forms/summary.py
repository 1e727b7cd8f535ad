"""Forms of the annual summary (年度总结): which summary (campaign, unit), the draft (figures, text)
and the league admin's figure settings. Unit choices are the admin's own scope (STYLE.md)."""

from __future__ import annotations

from django import forms

from xuebi.campaign.models import Campaign
from xuebi.core.forms import StyledFormMixin
from xuebi.org.forms import UnitChoiceField
from xuebi.org.models import Unit

from ..figures import Figure
from ..selectors import summary as selectors
from ..services.summary import MAX_ROUNDING_UNIT, MAX_TEXT


class SummaryScopeForm(StyledFormMixin, forms.Form):
    """The question the page answers (GET): which campaign, whose subtree. Only renders the choice;
    the view reads the ids itself so that an id out of scope is a 404 like everywhere else."""

    campaign = forms.ModelChoiceField(label="活动", queryset=Campaign.objects.order_by("-start_date"), empty_label=None)
    unit = UnitChoiceField(label="范围", queryset=Unit.objects.none(), empty_label=None)

    def __init__(self, *args, user, campaign, unit, **kwargs):
        super().__init__(*args, initial={"campaign": campaign, "unit": unit}, **kwargs)
        self.fields["unit"].queryset = selectors.scope_units(user)


class SummaryDraftForm(StyledFormMixin, forms.Form):
    figures = forms.MultipleChoiceField(label="写入的数字", required=False, widget=forms.CheckboxSelectMultiple)
    text = forms.CharField(
        label="正文",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="留空或未改动时随数据更新；改动后保留您的文字。",
    )

    def __init__(self, *args, catalogue: list[Figure], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["figures"].choices = [(f.key, f.label) for f in catalogue]


class FigureSettingForm(StyledFormMixin, forms.Form):
    """One figure's row of the settings table (prefixed by the figure's key)."""

    rounding_unit = forms.IntegerField(label="取整单位", required=False, min_value=1, max_value=MAX_ROUNDING_UNIT)
    included = forms.BooleanField(label="默认写入", required=False)

    def __init__(self, *args, figure: Figure, **kwargs):
        self.figure = figure
        kwargs.setdefault("initial", {"rounding_unit": figure.rounding_unit, "included": figure.included})
        super().__init__(*args, prefix=figure.key, **kwargs)
        self.fields["rounding_unit"].label = f"“{figure.label}”的取整单位"
        self.fields["rounding_unit"].widget.attrs["placeholder"] = "确数"
