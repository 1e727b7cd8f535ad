"""Forms of the ledger's reports, requirements, 业务讲堂 and export pages.

Choices of units, people and kinds are limited to what the user may see (STYLE.md); the date
fields take dates as people type them.
"""
from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from xuebi.core import dates
from xuebi.core.forms import StyledFormMixin, TypedDateField
from xuebi.core.widgets import UnitNames, person_label
from xuebi.org.forms import UnitChoiceField
from xuebi.org.models import Person, Unit

from . import lectures, reports, schema
from .choices import Frequency, StudyLevel
from .models import LectureMember, LectureSeries, LectureSession, MeetingRequirement, RecordKind
from .requirements import MAX_MIN_COUNT

__all__ = [
    "ComplianceFilterForm", "StudyLevelFilterForm", "RequirementForm", "SeriesForm", "MembersForm",
    "SessionPlanForm", "AbsenteesForm", "SessionHeldForm", "ExportForm", "period_end",
]


class _DynamicForm(forms.Form):
    """A form whose fields depend on the user or the object: ``add_fields`` runs inside
    ``__init__``, before ``StyledFormMixin`` (earlier in the MRO) styles every field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_fields()

    def add_fields(self) -> None:
        pass


class _YearMixin:
    def set_years(self, today: dt.date) -> None:
        self.fields["year"].choices = [(y, f"{y}年") for y in reports.year_choices(today)]
        self.fields["year"].initial = today.year


class ComplianceFilterForm(StyledFormMixin, _YearMixin, forms.Form):
    """Year and, for a long list of branches, the county or section to look at."""

    year = forms.TypedChoiceField(label="年度", coerce=int, required=False)
    unit = UnitChoiceField(label="范围", required=False, empty_label="全部党支部", queryset=Unit.objects.none())

    def __init__(self, *args, user, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_years(today)
        self.fields["unit"].queryset = Unit.objects.visible_to(user).filter(is_active=True).exclude(kind="branch")

    def values(self, today: dt.date) -> tuple[int, Unit | None]:
        if self.is_valid():
            return self.cleaned_data.get("year") or today.year, self.cleaned_data.get("unit")
        return today.year, None


class StudyLevelFilterForm(StyledFormMixin, _YearMixin, forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False)
    depth = forms.TypedChoiceField(label="按哪一级单位汇总", coerce=int, required=False)
    unit = UnitChoiceField(label="范围", required=False, empty_label="全部", queryset=Unit.objects.none())

    def __init__(self, *args, user, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_years(today)
        choices, self.default_depth = reports.depth_choices(user)
        self.fields["depth"].choices = choices
        self.fields["depth"].initial = self.default_depth
        self.fields["unit"].queryset = Unit.objects.visible_to(user).filter(is_active=True)

    def values(self, today: dt.date) -> tuple[int, int | None, Unit | None]:
        if self.is_valid():
            data = self.cleaned_data
            return data.get("year") or today.year, data.get("depth") or self.default_depth, data.get("unit")
        return today.year, self.default_depth, None


class RequirementForm(StyledFormMixin, forms.Form):
    kind = forms.ModelChoiceField(label="台账类型", queryset=RecordKind.objects.none(), empty_label="请选择会议类型")
    frequency = forms.ChoiceField(label="频次", choices=Frequency.choices)
    min_count = forms.IntegerField(label="每期至少次数", min_value=1, max_value=MAX_MIN_COUNT, initial=1)
    is_active = forms.BooleanField(label="启用（计入三会一课落实情况）", required=False, initial=True)

    def __init__(self, *args, requirement: MeetingRequirement | None = None, **kwargs):
        if requirement is not None:
            kwargs.setdefault("initial", {
                "frequency": requirement.frequency, "min_count": requirement.min_count, "is_active": requirement.is_active,
            })
        super().__init__(*args, **kwargs)
        if requirement is not None:
            del self.fields["kind"]  # a requirement belongs to its kind for good
        else:
            self.fields["kind"].queryset = RecordKind.objects.filter(is_active=True, requirement__isnull=True)


class SeriesForm(StyledFormMixin, forms.Form):
    unit = UnitChoiceField(label="举办单位", queryset=Unit.objects.none(),
                           help_text="成员默认为该单位（含下属科室）的全部在职人员，创建后可调整名单和顺序。")
    title = forms.CharField(label="讲堂名称", max_length=100, initial="业务讲堂",
                            widget=forms.TextInput(attrs={"placeholder": "如：组织股2026年业务讲堂"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = lectures.units_for_series(user)


class MembersForm(forms.Form):
    """Tick the members and number their order; the numbers only need to sort (1, 2, 5 is fine)."""

    def __init__(self, *args, series: LectureSeries, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        current = {m.person_id: m.position for m in series.members.all()}
        # the members in their order first, then everyone else of the unit in roster order
        self.candidates = sorted(candidates, key=lambda p: (p.pk not in current, current.get(p.pk, 0)))
        self.rows = []
        for index, person in enumerate(self.candidates, start=1):
            on, pos = f"m_{person.pk}", f"p_{person.pk}"
            self.fields[on] = forms.BooleanField(label=person.name, required=False, initial=person.pk in current,
                                                 widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
            self.fields[pos] = forms.IntegerField(
                label=f"{person.name}的顺序", min_value=1, max_value=9999, required=False,
                initial=current.get(person.pk, len(current) + index),
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "inputmode": "numeric"}),
            )
            self.rows.append({"person": person, "check": self[on], "position": self[pos]})

    def clean(self):
        cleaned = super().clean()
        chosen = []
        for index, person in enumerate(self.candidates):
            if cleaned.get(f"m_{person.pk}"):
                position = cleaned.get(f"p_{person.pk}")
                if position is None:
                    self.add_error(f"p_{person.pk}", f"请填写“{person.name}”的顺序号。")
                    continue
                chosen.append((position, index, person))
        if not chosen and not self.errors:
            raise ValidationError("请至少选择一名成员。")
        self.members = [person for _pos, _i, person in sorted(chosen, key=lambda t: (t[0], t[1]))]
        return cleaned


class SessionPlanForm(StyledFormMixin, forms.Form):
    planned_on = TypedDateField(label="日期", allow_partial=False)
    topic = forms.CharField(label="主题", max_length=200, required=False,
                            widget=forms.TextInput(attrs={"placeholder": "可稍后填写"}))
    presenter = forms.ModelChoiceField(label="主讲人", queryset=Person.objects.none(), required=False,
                                       empty_label="按轮换规则安排")

    def __init__(self, *args, members: list[LectureMember], proposed: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presenter"].queryset = Person.objects.filter(pk__in=[m.person_id for m in members]).select_related("unit")
        names = UnitNames()  # the units read once for all the labels
        self.fields["presenter"].label_from_instance = lambda person: person_label(person, names)
        if proposed is not None:
            self.fields["presenter"].empty_label = f"按轮换规则安排（{proposed.name}）"


class AbsenteesForm(forms.Form):  # a list of checkboxes: Bootstrap's check classes are set on the widget
    absentees = forms.ModelMultipleChoiceField(label="缺席人员", queryset=Person.objects.none(), required=False,
                                               widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))

    def __init__(self, *args, session: LectureSession, **kwargs):
        kwargs.setdefault("initial", {"absentees": list(session.absentees.values_list("pk", flat=True))})
        super().__init__(*args, **kwargs)
        self.fields["absentees"].queryset = Person.objects.filter(
            pk__in=session.series.members.values("person_id")).order_by("name_pinyin")
        self.fields["absentees"].help_text = "主讲人缺席时，本场改由下一位成员主讲；缺席者下次优先补讲。"


class SessionHeldForm(StyledFormMixin, _DynamicForm):
    """The date, topic and hours of the session, then the lecture kind's own fields (prefilled
    with what the session already says), then evidence — what ``session_hold`` records."""

    held_on = TypedDateField(label="举办日期", allow_partial=False)
    topic = forms.CharField(label="主题", max_length=200)
    hours = forms.DecimalField(label="学时（小时）", required=False, min_value=Decimal("0.1"), max_value=Decimal(24),
                               decimal_places=1, widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}))

    def __init__(self, *args, session: LectureSession, user, **kwargs):
        self.session, self.user = session, user
        self.kind = session.series.kind
        self.definitions = self.kind.fields
        kwargs.setdefault("initial", {"held_on": session.planned_on, "topic": session.topic})
        super().__init__(*args, **kwargs)

    def add_fields(self) -> None:
        from .forms import pickable_people

        kind = self.kind
        if kind.attendee_hours:
            self.fields["hours"].required = True
            self.fields["hours"].help_text = "主讲人和每位到场成员都记这么多学时。"
        if kind.has_study_level:
            self.fields["study_level"] = forms.ChoiceField(label="学习层级（五学联动）", choices=[("", "请选择")] + StudyLevel.choices)
        presenter_keys, topic_key = lectures.session_answered(self.definitions)
        asked = [d for d in self.definitions if d["key"] not in {*presenter_keys, topic_key}]
        units = Unit.objects.visible_to(self.user).filter(is_active=True)
        self.fields.update(schema.build_form_fields(asked, people=pickable_people(self.user), units=units))
        self.fields["evidence"] = schema.MultipleFileField(
            label="佐证材料（照片或文件）", required=kind.evidence_required,
            help_text="图片、PDF 或 Office 文档" + ("；本类型须上传" if kind.evidence_required else ""),
        )
        self.fields["evidence"].error_messages["required"] = f"“{kind.name}”须上传佐证材料（现场照片或文件）。"

    def hold_values(self) -> dict:
        data, files = schema.values_from_form(self.definitions, self.cleaned_data)
        files += [("", f) for f in self.cleaned_data.get("evidence") or []]
        return {
            "held_on": self.cleaned_data["held_on"].date, "topic": self.cleaned_data["topic"],
            "hours": self.cleaned_data.get("hours"), "data": data,
            "study_level": self.cleaned_data.get("study_level", ""), "files": files,
        }


def period_end(value: dates.PartialDate) -> dt.date:
    """The last day a typed date stands for: 2026年 → 12月31日, 2026年2月 → 2月28日."""
    day = value.date
    if value.precision == dates.YEAR:
        return dt.date(day.year, 12, 31)
    if value.precision == dates.MONTH:
        return dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return day


class ExportForm(StyledFormMixin, forms.Form):
    kind = forms.ModelChoiceField(label="台账类型", queryset=RecordKind.objects.none(), required=False, empty_label="全部类型（每类一页）")
    unit = UnitChoiceField(label="单位（含下级）", queryset=Unit.objects.none(), required=False, empty_label="全部（本人范围）")
    date_from = TypedDateField(label="起始日期", required=False, help_text="可写 2026年、2026年3月 或具体日期；不填为今年1月1日")
    date_to = TypedDateField(label="截止日期", required=False, help_text="不填为今年12月31日")
    approved_only = forms.BooleanField(label="只导出已通过审核的记录", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = RecordKind.objects.all()
        self.fields["unit"].queryset = Unit.objects.visible_to(user).filter(is_active=True)

    def clean(self):
        cleaned = super().clean()
        year = timezone.localdate().year
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if "date_from" in self.errors or "date_to" in self.errors:
            return cleaned
        cleaned["start"] = start.date if start else dt.date(year, 1, 1)
        cleaned["end"] = period_end(end) if end else dt.date(year, 12, 31)
        if cleaned["start"] > cleaned["end"]:
            self.add_error("date_to", "截止日期不能早于起始日期。")
        return cleaned
