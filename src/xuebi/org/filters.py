import django_filters
from django import forms

from .choices import PersonStatus, PoliticalStatus, Sex
from .models import Person, Unit


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="姓名/拼音",
        method="search",
        widget=forms.TextInput(attrs={"placeholder": "姓名、全拼或首字母，如 bysgl", "type": "search"}),
    )
    unit = django_filters.ModelChoiceFilter(
        label="单位（含下级）", queryset=Unit.objects.none(), method="in_unit", empty_label="全部单位"
    )
    sex = django_filters.ChoiceFilter(label="性别", choices=Sex.choices, empty_label="性别不限")
    status = django_filters.ChoiceFilter(label="状态", choices=PersonStatus.choices, empty_label="全部状态")
    political_status = django_filters.ChoiceFilter(label="政治面貌", choices=PoliticalStatus.choices, empty_label="全部政治面貌")
    is_org_cadre = django_filters.BooleanFilter(label="组工干部")

    class Meta:
        model = Person
        fields = ["q", "unit", "sex", "status", "political_status", "is_org_cadre"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = Unit.objects.visible_to(user)
        for f in self.form.fields.values():
            css = "form-select form-select-sm" if isinstance(f.widget, forms.Select) else "form-control form-control-sm"
            f.widget.attrs["class"] = css

    def search(self, queryset, name, value):
        return queryset.search(value)

    def in_unit(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path)
