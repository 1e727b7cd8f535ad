"""Forms of the study pages. The API validates through the same forms, so each rule exists once:
forms check the shape of what was typed; services check what needs the database."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from xuebi.core.forms import StyledFormMixin, TypedDateField
from xuebi.org.forms import UnitChoiceField
from xuebi.org.models import Unit

from .choices import NoteKind
from .models import StudyItem, StudyNote, StudyPlan

__all__ = [
    "StudyListForm",
    "StudyItemForm",
    "StudyProgressForm",
    "StudyPlanForm",
    "StudyPlanItemFormSet",
    "StudyNoteForm",
    "plan_item_initial",
]

MAX_NOTE_LENGTH = 20000


def _hours_field(label: str, *, minimum: Decimal, maximum: Decimal | None = None, **kwargs) -> forms.DecimalField:
    """Hours as people type them: a number with at most one decimal, with messages that name the field."""
    messages = {
        "invalid": f"{label}应为数字，如 1 或 1.5。",
        "max_decimal_places": f"{label}最多保留1位小数。",
        "min_value": f"{label}须大于0。" if minimum > 0 else f"{label}不能为负数。",
        "max_value": f"{label}不能超过{maximum}。",
        "required": f"请填写{label}。",
    }
    return forms.DecimalField(
        label=label,
        min_value=minimum,
        max_value=maximum,
        decimal_places=1,
        error_messages=messages,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
        **kwargs,
    )


def _day(value):
    """TypedDateField gives a PartialDate; the models store the plain date."""
    return value.date if value is not None else None


class TargetUnitsField(forms.ModelMultipleChoiceField):
    top_depth = 1

    def label_from_instance(self, obj: Unit) -> str:
        if obj.depth <= self.top_depth:
            return f"{obj.name}（含全部下级单位）"
        return "　" + obj.name


class StudyListForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label="清单名称", max_length=200, error_messages={"required": "请填写清单名称。"})
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    unit = UnitChoiceField(
        label="发布单位",
        queryset=Unit.objects.none(),
        error_messages={"required": "请选择发布单位。", "invalid_choice": "您不能以所选单位的名义发布。"},
    )
    target_units = TargetUnitsField(
        label="下发单位",
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="清单下发到所选单位及其下级单位的全体在职人员。",
        error_messages={"required": "请选择至少一个下发单位。", "invalid_choice": "所选下发单位不在您的管理范围内。"},
    )

    def __init__(self, *args, user, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": instance.title,
                    "description": instance.description,
                    "unit": instance.unit_id,
                    "target_units": list(instance.target_units.values_list("pk", flat=True)),
                },
            )
        super().__init__(*args, **kwargs)
        managed = Unit.objects.visible_to(user, "change").filter(is_active=True)
        self.fields["unit"].queryset = managed
        # Lists go to a unit and everything below it, so the top of the user's tree and the level
        # beneath it (全盟 / 各旗县市区委组织部 / 各科室) are the choices people actually make.
        highest = managed.order_by("depth", "path").only("pk", "depth").first()
        top = highest.depth if highest else 1
        targets = self.fields["target_units"]
        current = instance.target_units.values("pk") if instance is not None else []
        targets.queryset = managed.filter(Q(depth__lte=top + 1) | Q(pk__in=current))  # keep deeper ones already chosen
        targets.top_depth = top
        targets.widget.attrs["class"] = "form-check-input"
        if instance is None and highest is not None:
            self.initial.setdefault("unit", highest.pk)  # one's own department, nearly always


class StudyItemForm(StyledFormMixin, forms.ModelForm):
    due_date = TypedDateField(label="完成时限", allow_partial=False, error_messages={"required": "请填写完成时限。"})
    required_hours = _hours_field(
        "要求学时", minimum=Decimal("0"), maximum=Decimal("9999"), help_text="0 表示不限学时，登记过学习即算完成。"
    )

    class Meta:
        model = StudyItem
        fields = ["title", "material_type", "source", "required_hours", "due_date", "order"]
        error_messages = {"title": {"required": "请填写学习内容。"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        self.fields["order"].help_text = "数字小的排在前面；不填则排在最后。"
        self.fields["source"].widget.attrs["placeholder"] = "如 人民出版社 或 https://…"

    def clean_due_date(self):
        return _day(self.cleaned_data.get("due_date"))

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {k: data[k] for k in ("title", "material_type", "source", "required_hours", "due_date", "order")}


class StudyProgressForm(StyledFormMixin, forms.Form):
    hours = _hours_field("学时", minimum=Decimal("0.1"), maximum=Decimal("24"), max_digits=None)
    studied_on = TypedDateField(label="学习日期", allow_partial=False)
    note = forms.CharField(label="备注", max_length=500, required=False, error_messages={"max_length": "备注不能超过500字。"})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"studied_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["hours"].error_messages["max_value"] = "单次登记的学时不能超过24小时。"
        self.fields["studied_on"].error_messages["required"] = "请填写学习日期。"

    def clean_studied_on(self):
        day = _day(self.cleaned_data.get("studied_on"))
        if day and day > timezone.localdate():
            raise ValidationError("学习日期不能晚于今天。")
        return day


class StudyPlanForm(StyledFormMixin, forms.ModelForm):
    year = forms.IntegerField(
        label="年度",
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": "年度应为四位数字，如 2026。",
            "min_value": "年度不正确。",
            "max_value": "年度不正确。",
            "required": "请填写年度。",
        },
    )
    target_hours = _hours_field("计划学时", minimum=Decimal("0"), maximum=Decimal("99999"), required=False)

    class Meta:
        model = StudyPlan
        fields = ["year", "title", "goals", "target_hours"]
        widgets = {"goals": forms.Textarea(attrs={"rows": 4})}
        error_messages = {"title": {"required": "请填写计划名称。"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault("year", timezone.localdate().year)
            self.initial.setdefault("title", f"{timezone.localdate().year}年度个人学习计划")

    def clean_target_hours(self):
        return self.cleaned_data.get("target_hours") or Decimal("0")


class StudyPlanItemForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label="计划内容", max_length=300, required=False)
    due_date = TypedDateField(label="计划完成日期", required=False, allow_partial=False)
    done = forms.BooleanField(label="已完成", required=False)

    def clean_due_date(self):
        return _day(self.cleaned_data.get("due_date"))

    def clean(self):
        data = super().clean()
        if not data.get("text") and (data.get("due_date") or data.get("done")):
            self.add_error("text", "请填写计划内容。")
        return data


class BaseStudyPlanItemFormSet(forms.BaseFormSet):
    def steps(self) -> list[dict]:
        """The filled-in rows, in order; empty rows and rows marked for deletion are dropped."""
        return [
            {k: form.cleaned_data.get(k) for k in ("text", "due_date", "done")}
            for form in self.forms
            if form.cleaned_data.get("text") and not form.cleaned_data.get("DELETE")
        ]

    def error_lines(self) -> list[str]:
        """“第2项 计划内容：…” for each bad row, so a phone user finds it without scrolling for red."""
        lines = []
        for n, errors in enumerate(self.errors, start=1):
            for name, messages in errors.items():
                label = self.forms[n - 1].fields[name].label if name in self.forms[n - 1].fields else ""
                lines += [f"第{n}项 {label}：{m}" for m in messages]
        return lines


StudyPlanItemFormSet = forms.formset_factory(
    StudyPlanItemForm,
    formset=BaseStudyPlanItemFormSet,
    extra=3,
    can_delete=True,
    max_num=50,
    validate_max=True,
)


def plan_item_initial(plan: StudyPlan) -> list[dict]:
    return [{"text": i.text, "due_date": i.due_date, "done": i.done} for i in plan.items.all()]


class StudyItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: StudyItem) -> str:
        return f"{obj.title}（{obj.study_list.title}）"


class StudyNoteForm(StyledFormMixin, forms.ModelForm):
    item = StudyItemChoiceField(
        label="对应学习内容",
        queryset=StudyItem.objects.none(),
        required=False,
        empty_label="（不对应具体学习内容）",
        error_messages={"invalid_choice": "所选学习内容没有下发给您。"},
    )

    class Meta:
        model = StudyNote
        fields = ["kind", "title", "body", "item"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}
        error_messages = {"title": {"required": "请填写标题。"}, "body": {"required": "请填写正文。"}}

    def __init__(self, *args, person_id: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        items = StudyItem.objects.none()
        if person_id:
            items = StudyItem.objects.reaching(person_id)
        if self.instance.item_id:
            items = items | StudyItem.objects.filter(pk=self.instance.item_id)  # kept after a move
        self.fields["item"].queryset = items.select_related("study_list").order_by("study_list", "order", "pk")
        self.fields["kind"].choices = NoteKind.choices

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise ValidationError("请填写正文。")
        if len(body) > MAX_NOTE_LENGTH:
            raise ValidationError(f"正文不能超过{MAX_NOTE_LENGTH}字（现有{len(body)}字）。")
        return body
