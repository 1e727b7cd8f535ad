from __future__ import annotations

from django import forms

from xuebi.core.forms import MultipleFileField, StyledFormMixin
from xuebi.org.choices import ADMIN_ROLES, PersonStatus
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import subtree_q, unit_paths
from xuebi.org.widgets import PersonChoiceField

from .models import ListKind, Move, PledgeGrade, Priority, Supervision

DATE = forms.DateInput(attrs={"type": "date"})
LIST_CHOICES = [(k.value, k.label) for k in ListKind if k != ListKind.PLEDGE]


def admin_units(user):
    return Unit.objects.filter(subtree_q(unit_paths(user, ADMIN_ROLES), ""), is_active=True).order_by("path")


class ItemForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="清单", choices=LIST_CHOICES)
    unit = forms.ModelChoiceField(
        label="所属单位", queryset=Unit.objects.none(), help_text="哪个单位的清单（由该单位管理员验收）。"
    )
    title = forms.CharField(label="事项", max_length=200)
    description = forms.CharField(label="内容和标准", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    responsible_unit = forms.ModelChoiceField(label="责任单位", queryset=Unit.objects.none())
    responsible_person = PersonChoiceField(Person.objects.none(), label="责任人", required=False, action="change")
    leader = forms.CharField(label="责任领导", max_length=40, required=False)
    start_date = forms.DateField(label="开始日期", required=False, widget=DATE)
    due_date = forms.DateField(
        label="完成时限", required=False, widget=DATE, help_text="到期前和到期当天提醒责任人；逾期后也提醒单位管理员。"
    )
    priority = forms.ChoiceField(label="优先级", choices=Priority.choices, initial=Priority.NORMAL)
    supervision = forms.ChoiceField(
        label="督办级别", choices=Supervision.choices, required=False, help_text="只用于督查项目清单。"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = admin_units(user)
        self.fields["unit"].queryset = units
        self.fields["responsible_unit"].queryset = units
        self.fields["responsible_person"].queryset = Person.objects.visible_to(user, "change").filter(status=PersonStatus.ACTIVE)


class PledgeForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label="承诺事项", max_length=200, help_text="一件可以检验的事，如“全年撰写调研报告 2 篇”。")
    description = forms.CharField(label="具体措施", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    due_date = forms.DateField(label="兑现时限", required=False, widget=DATE, help_text="不填为当年 12 月 31 日。")


class ProgressForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label="进展情况", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    percent = forms.IntegerField(label="完成进度（%）", required=False, min_value=0, max_value=100)
    files = MultipleFileField(label="佐证材料", required=False, help_text="照片、PDF、Word 等，一次最多 9 个。")


class DecisionForm(StyledFormMixin, forms.Form):
    move = forms.ChoiceField(
        choices=[(Move.ACCEPT, "验收通过"), (Move.RETURN, "退回"), (Move.CANCEL, "撤销")], widget=forms.HiddenInput
    )
    text = forms.CharField(
        label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="退回、撤销须写明理由。"
    )


class PledgeReviewForm(StyledFormMixin, forms.Form):
    grade = forms.ChoiceField(label="践诺评价", choices=[("", "请选择"), *PledgeGrade.choices])
    comment = forms.CharField(label="评价意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))
