"""The 系统管理员's account list: by unit (of the linked person), linked or not, last sign-in."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from xuebi.org.forms import UnitChoiceField
from xuebi.org.models import Unit, User

SIGNED_IN_CHOICES = [
    ("7", "近7天登录过"),
    ("30", "近30天登录过"),
    ("90", "近90天登录过"),
    ("stale", "90天以上未登录"),
    ("never", "从未登录"),
]


class UnitFilter(django_filters.ModelChoiceFilter):
    field_class = UnitChoiceField  # indented by depth: the counties' 组织股 can be told apart


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="用户名/姓名", method="search", widget=forms.TextInput(attrs={"placeholder": "用户名或姓名", "type": "search"})
    )
    unit = UnitFilter(
        label="单位（含下级）", queryset=Unit.objects.filter(is_active=True), method="in_unit", empty_label="全部单位"
    )
    linked = django_filters.ChoiceFilter(
        label="关联人员", method="by_linked", empty_label="关联与否不限", choices=[("yes", "已关联人员"), ("no", "未关联人员")]
    )
    signed_in = django_filters.ChoiceFilter(
        label="最近登录", method="by_sign_in", empty_label="登录时间不限", choices=SIGNED_IN_CHOICES
    )
    is_active = django_filters.ChoiceFilter(
        label="状态", method="by_active", empty_label="全部状态", choices=[("yes", "启用"), ("no", "已停用")]
    )

    class Meta:
        model = User
        fields = ["q", "unit", "linked", "signed_in", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.form.fields.values():
            f.widget.attrs["class"] = (
                "form-select form-select-sm" if isinstance(f.widget, forms.Select) else "form-control form-control-sm"
            )

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(username__icontains=value) | Q(full_name__contains=value)) if value else queryset

    def in_unit(self, queryset, name, value):
        return queryset.filter(person__unit__path__startswith=value.path)

    def by_linked(self, queryset, name, value):
        return queryset.filter(person__isnull=value != "yes")

    def by_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "yes")

    def by_sign_in(self, queryset, name, value):
        if value == "never":
            return queryset.filter(last_login__isnull=True)
        now = timezone.now()
        if value == "stale":
            return queryset.filter(last_login__lt=now - dt.timedelta(days=90))
        return queryset.filter(last_login__gte=now - dt.timedelta(days=int(value)))
