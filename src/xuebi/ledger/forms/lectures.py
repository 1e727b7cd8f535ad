"""Forms of the 业务讲堂 pages: a series, its members, a session planned, absentees, a session held.

Choices of units and people are limited to what the user may see (STYLE.md)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from xuebi.core.forms import StyledFormMixin, TypedDateField
from xuebi.org.widgets import UnitNames, person_label
from xuebi.org.forms import UnitChoiceField
from xuebi.org.models import Person, Unit

from .. import schema
from ..choices import StudyLevel
from ..models import LectureMember, LectureSeries, LectureSession
from ..selectors import lectures as selectors
from .records import pickable_people


class _DynamicForm(forms.Form):
    """A form whose fields depend on the user or the object: ``add_fields`` runs inside
    ``__init__``, before ``StyledFormMixin`` (earlier in the MRO) styles every field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_fields()

    def add_fields(self) -> None:
        pass


class SeriesForm(StyledFormMixin, forms.Form):
    unit = UnitChoiceField(
        label="举办单位",
        queryset=Unit.objects.none(),
        help_text="成员默认为该单位（含下属科室）的全部在职人员，创建后可调整名单和顺序。",
    )
    title = forms.CharField(
        label="讲堂名称",
        max_length=100,
        initial="业务讲堂",
        widget=forms.TextInput(attrs={"placeholder": "如：组织股2026年业务讲堂"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.units_for_series(user)


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
            self.fields[on] = forms.BooleanField(
                label=person.name,
                required=False,
                initial=person.pk in current,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[pos] = forms.IntegerField(
                label=f"{person.name}的顺序",
                min_value=1,
                max_value=9999,
                required=False,
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
    topic = forms.CharField(
        label="主题", max_length=200, required=False, widget=forms.TextInput(attrs={"placeholder": "可稍后填写"})
    )
    presenter = forms.ModelChoiceField(
        label="主讲人", queryset=Person.objects.none(), required=False, empty_label="按轮换规则安排"
    )

    def __init__(self, *args, members: list[LectureMember], proposed: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presenter"].queryset = Person.objects.filter(pk__in=[m.person_id for m in members]).select_related("unit")
        names = UnitNames()  # the units read once for all the labels
        self.fields["presenter"].label_from_instance = lambda person: person_label(person, names)
        if proposed is not None:
            self.fields["presenter"].empty_label = f"按轮换规则安排（{proposed.name}）"


class AbsenteesForm(forms.Form):  # a list of checkboxes: Bootstrap's check classes are set on the widget
    absentees = forms.ModelMultipleChoiceField(
        label="缺席人员",
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, session: LectureSession, **kwargs):
        kwargs.setdefault("initial", {"absentees": list(session.absentees.values_list("pk", flat=True))})
        super().__init__(*args, **kwargs)
        self.fields["absentees"].queryset = Person.objects.filter(pk__in=session.series.members.values("person_id")).order_by(
            "name_pinyin"
        )
        self.fields["absentees"].help_text = "主讲人缺席时，本场改由下一位成员主讲；缺席者下次优先补讲。"


class SessionHeldForm(StyledFormMixin, _DynamicForm):
    """The date, topic and hours of the session, then the lecture kind's own fields (prefilled
    with what the session already says), then evidence — what ``session_hold`` records."""

    held_on = TypedDateField(label="举办日期", allow_partial=False)
    topic = forms.CharField(label="主题", max_length=200)
    hours = forms.DecimalField(
        label="学时（小时）",
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal(24),
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )

    def __init__(self, *args, session: LectureSession, user, **kwargs):
        self.session, self.user = session, user
        self.kind = session.series.kind
        self.definitions = self.kind.fields
        kwargs.setdefault("initial", {"held_on": session.planned_on, "topic": session.topic})
        super().__init__(*args, **kwargs)

    def add_fields(self) -> None:

        kind = self.kind
        if kind.attendee_hours:
            self.fields["hours"].required = True
            self.fields["hours"].help_text = "主讲人和每位到场成员都记这么多学时。"
        if kind.has_study_level:
            self.fields["study_level"] = forms.ChoiceField(
                label="学习层级（五学联动）", choices=[("", "请选择")] + StudyLevel.choices
            )
        presenter_keys, topic_key = selectors.session_answered(self.definitions)
        asked = [d for d in self.definitions if d["key"] not in {*presenter_keys, topic_key}]
        units = Unit.objects.visible_to(self.user).filter(is_active=True)
        self.fields.update(schema.build_form_fields(asked, people=pickable_people(self.user), units=units))
        self.fields["evidence"] = schema.MultipleFileField(
            label="佐证材料（照片或文件）",
            required=kind.evidence_required,
            help_text="图片、PDF 或 Office 文档" + ("；本类型须上传" if kind.evidence_required else ""),
        )
        self.fields["evidence"].error_messages["required"] = f"“{kind.name}”须上传佐证材料（现场照片或文件）。"

    def hold_values(self) -> dict:
        data, files = schema.values_from_form(self.definitions, self.cleaned_data)
        files += [("", f) for f in self.cleaned_data.get("evidence") or []]
        return {
            "held_on": self.cleaned_data["held_on"].date,
            "topic": self.cleaned_data["topic"],
            "hours": self.cleaned_data.get("hours"),
            "data": data,
            "study_level": self.cleaned_data.get("study_level", ""),
            "files": files,
        }
