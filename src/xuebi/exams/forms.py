"""The organiser's exam form (who takes it typed as units ticked and people by name, as the
department lists them in a notice), and the small forms of marking, regrading and practice."""

from __future__ import annotations

import re

from django import forms
from django.db.models import Q

from xuebi.campaign.models import Campaign, Indicator
from xuebi.core.forms import StyledFormMixin
from xuebi.org.choices import PersonStatus
from xuebi.org.models import Person, Unit

from . import services
from .models import Bank, Category, Exam, Paper

DATETIME = {"type": "datetime-local"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs=DATETIME, format=DATETIME_FORMAT),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        error_messages={"invalid": f"请填写正确的{label}，如 2026-12-01 09:00。", "required": f"请填写{label}。"},
    )


def resolve_people(user, text: str) -> list[Person]:
    """People named one per line (or separated by 、，,): a name, or "name（unit）" when two people
    share it. Each must be an active person the user may see; every problem is named."""
    tokens = [t.strip() for t in re.split(r"[\n\r、，,;；]+", text or "") if t.strip()]
    people: list[Person] = []
    problems: list[str] = []
    visible = Person.objects.visible_to(user).filter(status=PersonStatus.ACTIVE).select_related("unit")
    for token in tokens:
        match = re.fullmatch(r"(.+?)[（(](.+)[)）]", token)
        name, unit = (match.group(1).strip(), match.group(2).strip()) if match else (token, "")
        rows = visible.filter(name=name)
        if unit:
            rows = rows.filter(Q(unit__name=unit) | Q(unit__short_name=unit))
        found = list(rows[:3])
        if not found:
            problems.append(f"“{token}”：没有找到此人（或不在您管理的范围内）")
        elif len(found) > 1:
            problems.append(f"“{token}”：有同名人员，请写成“{name}（所在单位）”")
        elif found[0] not in people:
            people.append(found[0])
    if problems:
        raise forms.ValidationError(problems)
    return people


class ExamForm(StyledFormMixin, forms.ModelForm):
    opens_at = _datetime_field("开始时间")
    closes_at = _datetime_field("结束时间")
    units = forms.ModelMultipleChoiceField(
        label="参考单位",
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="所选单位及其下级单位的组工干部参加",
    )
    people_text = forms.CharField(
        label="参考人员",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "每行一人；同名时写成“王芳（阿巴嘎旗委组织部）”"}),
        help_text="另行指定的参考人员（可不填）",
    )

    class Meta:
        model = Exam
        fields = [
            "title",
            "kind",
            "unit",
            "paper",
            "description",
            "room",
            "opens_at",
            "closes_at",
            "time_limit",
            "attempts_allowed",
            "counts",
            "pass_mark",
            "partial",
            "reveal",
            "layout",
            "campaign",
            "indicator",
            "full_points",
            "pass_points",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = Unit.objects.visible_to(user, "change").filter(depth__lte=2).order_by("path")
        self.fields["unit"].empty_label = None
        self.fields["paper"].queryset = Paper.objects.visible_to(user).order_by("-pk")
        self.fields["paper"].empty_label = "请选择试卷"
        self.fields["units"].queryset = (
            Unit.objects.visible_to(user, "change").filter(depth__lte=2, is_active=True).order_by("path")
        )
        self.fields["units"].label_from_instance = lambda u: u.name
        self.fields["campaign"].queryset = Campaign.objects.open().order_by("-start_date")
        self.fields["campaign"].help_text = "成绩积分计入的活动；不计积分可留空"
        self.fields["indicator"].queryset = Indicator.objects.filter(campaign__is_closed=False).select_related("campaign")
        self.fields["indicator"].label_from_instance = lambda i: f"{i.campaign.name} · {i.name}"
        self.fields["full_points"].help_text = "满分者得的积分，如 3"
        self.fields["pass_points"].help_text = "及格（未满分）者得的积分，如 1"
        if self.instance.pk:
            self.initial["units"] = [u.pk for u in self.instance.units.all()]
            self.initial["people_text"] = "\n".join(
                f"{p.name}（{p.unit.name}）" for p in self.instance.people.select_related("unit")
            )
        self.style_fields()

    def clean_people_text(self):
        return resolve_people(self.user, self.cleaned_data.get("people_text", ""))

    def _post_clean(self):
        pass  # the service checks the exam (exam_save)

    def data_for_service(self) -> services.ExamData:
        values = {name: self.cleaned_data.get(name) for name in services.SETTINGS}
        for name, default in (("attempts_allowed", 1), ("description", ""), ("room", "")):
            if values.get(name) in (None,):
                values[name] = default
        return services.ExamData(
            **values, units=list(self.cleaned_data.get("units") or []), people=self.cleaned_data.get("people_text") or []
        )


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()


class OpenNowForm(StyledFormMixin, forms.Form):
    minutes = forms.IntegerField(label="考试时长（分钟）", min_value=5, max_value=600, initial=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()


class RegradeForm(ReasonForm):
    question = forms.TypedChoiceField(label="已更正的试题", coerce=int)

    field_order = ["question", "reason"]

    def __init__(self, *args, exam: Exam, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import AttemptItem, Question

        ids = AttemptItem.objects.filter(attempt__exam=exam, question__isnull=False).values("question_id")
        self.questions = {q.pk: q for q in Question.objects.filter(pk__in=ids).exclude(type="short").order_by("pk")}
        self.fields["question"].choices = [(pk, f"{q.get_type_display()}：{q.text[:40]}") for pk, q in self.questions.items()]
        self.style_fields()


class GradeForm(StyledFormMixin, forms.Form):
    score = forms.DecimalField(label="得分", min_value=0, max_digits=6, decimal_places=1)
    comment = forms.CharField(label="评语", required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()


class PracticeForm(StyledFormMixin, forms.Form):
    bank = forms.ModelChoiceField(label="题库", queryset=Bank.objects.none(), empty_label="请选择题库")
    category = forms.ModelChoiceField(label="分类", queryset=Category.objects.all(), required=False, empty_label="全部分类")
    count = forms.IntegerField(label="题数", min_value=1, max_value=services.PRACTICE_MAX, initial=10)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = services.practice_banks(user).filter(practice_open=True).order_by("unit__path", "name")
        self.style_fields()
