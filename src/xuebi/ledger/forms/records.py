"""The record form, built from a kind's field schema; the same checks serve pages and the API."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from xuebi.core.forms import StyledFormMixin, TypedDateField, db_id
from xuebi.org.widgets import PersonChoiceField
from xuebi.org.models import Person, Unit

from .. import schema
from ..choices import FieldType, StudyLevel
from ..models import Record, RecordKind
from ..services.records import RecordInput

__all__ = ["RecordForm", "ReviewForm", "CorrectionDecisionForm", "parse_hours", "pickable_people"]


HOURS_KEY = "hours"
ALL_HOURS = "all_hours"  # the picker's “全部参加人员：N 学时” box


def pickable_people(user):
    return Person.objects.visible_to(user, "pick").filter(status="active").select_related("unit")


def parse_hours(raw: str, name: str) -> Decimal | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationError(f"“{name}”的学时应为数字。") from None
    if value.as_tuple().exponent < -1:
        raise ValidationError(f"“{name}”的学时最多保留 1 位小数。")
    return value


class RecordForm(StyledFormMixin, forms.Form):
    """Common fields (日期、单位、层级、记录人), then the kind's own fields, then evidence.

    Attendees of a group activity come from the picker as repeated ``attendee`` ids with
    ``hours_<id>`` beside each; they are checked against the organizer's scope here and again
    in the service.
    """

    occurred_on = TypedDateField(label="日期", allow_partial=False)

    def __init__(self, *args, kind: RecordKind, user, record: Record | None = None, correction: bool = False, **kwargs):
        self.kind, self.user, self.record, self.correction = kind, user, record, correction
        definitions = kind.fields
        if record is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "occurred_on": record.occurred_on,
                "unit": record.unit_id,
                "study_level": record.study_level,
                **schema.form_initial(definitions, record.data),
            }
            author_row = next((p for p in record.participants.all() if p.person_id == record.author_id), None)
            if author_row and author_row.hours is not None:
                kwargs["initial"]["author_hours"] = author_row.hours
        super().__init__(*args, **kwargs)
        units = Unit.objects.visible_to(user).filter(is_active=True)
        people = pickable_people(user)
        if not user.person_id and record is None:
            self.fields["author"] = PersonChoiceField(
                people,
                action="pick",
                label="记录人",
                empty_label="请选择（代他人记录）",
                help_text="您的账号未关联花名册人员，请选择记录人。",
            )
        if not correction:
            self.fields["unit"] = forms.ModelChoiceField(
                label="所属单位",
                queryset=units,
                required=False,
                empty_label="记录人所在单位",
                help_text="三会一课等支部活动请选择党支部。",
            )
            self.fields["unit"].label_from_instance = lambda u: ("　" * max(u.depth - 1, 0)) + u.name
        if kind.has_study_level:
            self.fields["study_level"] = forms.ChoiceField(
                label="学习层级（五学联动）", choices=[("", "请选择")] + StudyLevel.choices
            )
        if not kind.is_group and not any(d["key"] == HOURS_KEY for d in definitions):
            # a kind whose own fields carry 学时 (key "hours") needs no second hours box
            self.fields["author_hours"] = forms.DecimalField(
                label="学时（小时）",
                required=False,
                min_value=Decimal("0.1"),
                max_value=Decimal(24),
                decimal_places=1,
                widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
            )
        attached = {e.field_key for e in record.evidence.all()} if record else set()
        for name, field in schema.build_form_fields(definitions, people=people, units=units, attached_keys=attached).items():
            if correction and isinstance(field, schema.MultipleFileField):
                continue
            self.fields[name] = field
        if not correction:
            self.fields["evidence"] = schema.MultipleFileField(
                label="佐证材料（照片或文件）",
                required=False,
                help_text="可多选；图片、PDF 或 Office 文档" + ("；本类型须上传" if kind.evidence_required else ""),
            )
        self.style_fields()  # again: the kind's fields were added after StyledFormMixin ran
        self.attendees: list[tuple[Person, Decimal | None]] = []

    def initial_attendees(self) -> list[dict]:
        """Rows for the picker: from the submitted form, else from the record."""
        if self.is_bound:
            ids = [i for i in self.data.getlist("attendee") if db_id(i) is not None]
            names = dict(pickable_people(self.user).filter(pk__in=ids).values_list("pk", "name"))
            return [{"id": int(i), "name": names.get(int(i), "?"), "hours": self.data.get(f"hours_{i}", "")} for i in ids]
        if self.record is not None:
            return [
                {"id": p.person_id, "name": p.person.name, "hours": p.hours if p.hours is not None else ""}
                for p in self.record.participants.all()
                if p.person_id != self.record.author_id or p.role != "author"
            ]
        return []

    def clean(self):
        cleaned = super().clean()
        if self.kind.is_group and self.is_bound:
            ids = []
            for raw in self.data.getlist("attendee"):
                if db_id(raw) is not None and int(raw) not in ids:
                    ids.append(int(raw))
            people = {p.pk: p for p in pickable_people(self.user).filter(pk__in=ids)}
            if self.user.person_id in ids and self.user.person_id not in people:
                people[self.user.person_id] = self.user.person
            missing = [i for i in ids if i not in people]
            if missing:
                self.add_error(None, "所选参加人员中有人不在您的范围内，请重新选择。")
            everyone = self.all_hours()
            for pk in ids:
                if pk in people:
                    try:
                        hours = parse_hours(self.data.get(f"hours_{pk}", ""), people[pk].name)
                    except ValidationError as exc:
                        self.add_error(None, exc)
                        continue
                    self.attendees.append((people[pk], everyone if hours is None else hours))
            if not ids:
                self.add_error(None, "请添加参加人员（可按姓名、拼音搜索，或按单位整体添加）。")
        return cleaned

    def all_hours(self) -> Decimal | None:
        """“全部参加人员：N 学时”: the hours of every attendee whose own box is left blank (a typed
        figure is that person's own and stays). Read from the raw input, as the attendees are."""
        if not (self.kind.is_group and self.kind.attendee_hours and self.is_bound):
            return None
        try:
            return parse_hours(self.data.get(ALL_HOURS, ""), "全部参加人员")
        except ValidationError as exc:
            self.add_error(None, exc)
            return None

    def record_input(self) -> RecordInput:
        data, files = schema.values_from_form(self.kind.fields, self.cleaned_data)
        files += [("", f) for f in self.cleaned_data.get("evidence") or []]
        return RecordInput(
            occurred_on=self.cleaned_data["occurred_on"].date,
            unit=self.cleaned_data.get("unit"),
            author=self.cleaned_data.get("author"),
            data=data,
            study_level=self.cleaned_data.get("study_level", ""),
            attendees=self.attendees,
            author_hours=self.cleaned_data.get("author_hours") or (Decimal(data[HOURS_KEY]) if data.get(HOURS_KEY) else None),
            files=files,
        )

    def file_fields(self):
        return [self[name] for name, f in self.fields.items() if isinstance(f, schema.MultipleFileField)]

    @property
    def has_required_file_field(self) -> bool:
        return any(d["type"] == FieldType.FILE and d.get("required") for d in self.kind.fields)


class ReviewForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(
        label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 2, "placeholder": "退回时必填"})
    )


class CorrectionDecisionForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(
        label="审批意见", required=False, widget=forms.Textarea(attrs={"rows": 2, "placeholder": "驳回时必填"})
    )
