"""The item list's filters: title, department, status, adoption."""

from __future__ import annotations

import django_filters
from django import forms

from xuebi.org.models import Unit

from . import conf
from .models import Adoption, InfoItem, ItemStatus

ADOPTED_ANY, ADOPTED_NONE = "any", "none"


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class ItemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="标题", method="search", widget=forms.TextInput(attrs={"placeholder": "标题中的字词", "type": "search"})
    )
    unit = django_filters.ModelChoiceFilter(label="报送单位", queryset=Unit.objects.none(), empty_label="全部单位")
    status = django_filters.ChoiceFilter(label="状态", choices=ItemStatus.choices, empty_label="全部状态")
    adopted = django_filters.ChoiceFilter(label="采用", method="by_adoption", empty_label="采用与否不限", choices=())
    year = YearFilter(
        label="年度",
        field_name="submitted_on__year",
        min_value=2000,
        max_value=2100,  # a year the database can turn into dates (99999 was a 500)
        widget=forms.NumberInput(attrs={"placeholder": "年度", "min": 2000, "max": 2100}),
    )

    class Meta:
        model = InfoItem
        fields = ["q", "unit", "status", "adopted", "year"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # the departments whose items the user sees: the league's children in the user's reach
        seen = InfoItem.objects.visible_to(user).values("unit_id")
        self.filters["unit"].queryset = Unit.objects.filter(pk__in=seen).order_by("path")
        self.filters["adopted"].extra["choices"] = [
            (ADOPTED_ANY, "已采用"),
            (ADOPTED_NONE, "未采用"),
            *[(o.code, f"{o.label}采用") for o in conf.outlets()],
        ]
        for f in self.form.fields.values():
            css = "form-select form-select-sm" if isinstance(f.widget, forms.Select) else "form-control form-control-sm"
            f.widget.attrs["class"] = css

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(title__icontains=value) if value else queryset

    def by_adoption(self, queryset, name, value):
        standing = Adoption.objects.standing()
        if value == ADOPTED_NONE:
            return queryset.exclude(pk__in=standing.values("item_id"))
        if value != ADOPTED_ANY:
            standing = standing.filter(outlet=value)
        return queryset.filter(pk__in=standing.values("item_id"))
