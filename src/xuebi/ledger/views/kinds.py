"""Record kinds (台账类型) pages: every business role may read them, only a league admin changes them.

Kinds are league-wide configuration, not unit data, so there is no scope to apply: the role
decides. Record counts shown beside versions do go through ``Record.objects.visible_to``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from xuebi.campaign.choices import Dimension
from xuebi.core.forms import add_validation_error
from xuebi.org.permissions import require_role
from xuebi.org.choices import BUSINESS_ROLES, Role
from xuebi.org.scoping import has_role

from ..choices import FieldType
from ..forms.kinds import KindForm, field_formset
from ..models import RecordKind
from ..selectors.kinds import record_counts
from ..services.kinds import kind_create, kind_update

__all__ = ["kind_list", "kind_detail", "kind_create_view", "kind_edit", "describe_field"]


def describe_field(definition: dict) -> str:
    """One line for a definition's options: 0.5–12 小时、1位小数 / 学习强国、北疆先锋 …"""
    kind = definition["type"]
    parts = []
    if kind == FieldType.NUMBER:
        low, high = definition.get("min"), definition.get("max")
        if low is not None and high is not None:
            parts.append(f"{low}–{high}")
        elif low is not None:
            parts.append(f"不小于{low}")
        elif high is not None:
            parts.append(f"不大于{high}")
        if definition.get("unit"):
            parts.append(definition["unit"])
        decimals = definition.get("decimals", 1)
        parts.append("整数" if decimals == 0 else f"{decimals}位小数")
    elif kind in (FieldType.CHOICE, FieldType.MULTICHOICE):
        parts.append("、".join(definition.get("choices", [])))
    elif kind == FieldType.TEXT and definition.get("max_length"):
        parts.append(f"最多{definition['max_length']}字")
    if definition.get("help"):
        parts.append(f"说明：{definition['help']}")
    return "；".join(parts)


def _rows(definitions: list[dict]) -> list[dict]:
    labels = dict(FieldType.choices)
    return [{**d, "type_label": labels.get(d["type"], d["type"]), "options": describe_field(d)} for d in definitions]


@login_required
def kind_list(request):
    require_role(request, *BUSINESS_ROLES)
    can_change = has_role(request.user, Role.LEAGUE_ADMIN)
    kinds = RecordKind.objects.all()
    if not can_change:
        kinds = kinds.filter(is_active=True)
    by_dimension: dict[str, list[RecordKind]] = {value: [] for value in Dimension.values}
    for kind in kinds:
        by_dimension.setdefault(kind.dimension, []).append(kind)
    labels = dict(Dimension.choices)
    groups = [(labels.get(value, value), items) for value, items in by_dimension.items() if items]
    return render(request, "ledger/kinds/list.html", {"groups": groups, "can_change": can_change})


@login_required
def kind_detail(request, pk: int):
    require_role(request, *BUSINESS_ROLES)
    kind = get_object_or_404(RecordKind, pk=pk)
    counts = record_counts(request.user, kind)
    versions = [
        {
            "version": v.version,
            "created_at": v.created_at,
            "created_by": v.created_by,
            "fields": _rows(v.fields),
            "records": counts.get(v.version, 0),
        }
        for v in kind.versions.select_related("created_by").order_by("-version")
    ]
    old_records = sum(n for version, n in counts.items() if version != kind.version)
    return render(
        request,
        "ledger/kinds/detail.html",
        {
            "kind": kind,
            "fields": _rows(kind.fields),
            "versions": versions,
            "old_records": old_records,
            "current_records": counts.get(kind.version, 0),
            "can_change": has_role(request.user, Role.LEAGUE_ADMIN),
        },
    )


def _save(request, *, kind: RecordKind | None):
    """The create and edit page: attributes, field rows, one save through the kind services."""
    title = f"编辑台账类型：{kind.name}" if kind else "新建台账类型"  # before the form writes typed values onto it
    back = reverse("ledger:kind_detail", args=[kind.pk]) if kind else reverse("ledger:kind_list")
    data = request.POST if request.method == "POST" else None
    form = KindForm(data, instance=kind)
    formset = field_formset(data, definitions=kind.fields if kind else None)
    valid = data is not None and form.is_valid()
    valid = data is not None and formset.is_valid() and valid  # both, so every error shows at once
    if valid:
        try:
            if kind is None:
                saved = kind_create(actor=request.user, fields=formset.definitions, **form.attrs())
                messages.success(request, f"已新建台账类型“{saved.name}”。")
            else:
                before = kind.version
                saved = kind_update(actor=request.user, kind=kind, fields=formset.definitions, **form.attrs())
                if saved.version != before:
                    messages.success(request, f"已保存。字段已更新为第{saved.version}版，已有记录仍按原版本显示。")
                else:
                    messages.success(request, "已保存。")
            return redirect("ledger:kind_detail", pk=saved.pk)
        except ValidationError as exc:
            add_validation_error(form, exc)
    return render(
        request, "ledger/kinds/form.html", {"form": form, "formset": formset, "title": title, "back": back, "kind": kind}
    )


@login_required
def kind_create_view(request):
    require_role(request, Role.LEAGUE_ADMIN)
    return _save(request, kind=None)


@login_required
def kind_edit(request, pk: int):
    require_role(request, Role.LEAGUE_ADMIN)
    return _save(request, kind=get_object_or_404(RecordKind, pk=pk))
