"""The organiser's forms: the contest with its rubric and award scheme typed as lines (one
criterion or level a line, as on the paper notice), the panels of judges, and the reasons asked
when results or scores are sent back."""

from __future__ import annotations

from django import forms

from xuebi.campaign.models import Campaign, Indicator
from xuebi.core.forms import StyledFormMixin, TypedDateField
from xuebi.org.models import Unit, User

from ..models import Assignment, AssignmentStatus, Contest
from ..services import contests as services

DATE_FIELDS = ("entry_start", "entry_end", "review_start", "review_end")


class ContestForm(StyledFormMixin, forms.ModelForm):
    entry_start = TypedDateField(label="征集开始日期", allow_partial=False)
    entry_end = TypedDateField(label="征集截止日期", allow_partial=False)
    review_start = TypedDateField(label="评审开始日期", allow_partial=False)
    review_end = TypedDateField(label="评审截止日期", allow_partial=False)
    criteria = forms.CharField(
        label="评分标准",
        widget=forms.Textarea(attrs={"rows": 4}),
        initial="内容 40\n表达 30\n仪态 20\n时间 10",
        help_text="每行一项：名称 满分（可再加权重），如“内容 40”。评委总分 = 各项得分 × 权重之和。",
    )
    levels = forms.CharField(
        label="奖项设置",
        widget=forms.Textarea(attrs={"rows": 4}),
        initial="一等奖 1 10\n二等奖 2 6\n三等奖 3 4\n优秀奖 其余 2",
        help_text="每行一项：奖项 名额（按比例时写百分比，如 10%；“其余”表示其余全部） 积分，如“一等奖 1 10”。",
    )

    units = forms.ModelMultipleChoiceField(
        label="参评单位",
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选：主办单位所辖各单位均可参评；选了：只有这些单位（含下级）的人员可以报送",
    )

    class Meta:
        model = Contest
        fields = [
            "title",
            "kind",
            "organizer",
            "description",
            *DATE_FIELDS,
            "live",
            "blind",
            "judges_per_entry",
            "trim_from",
            "tie_break",
            "award_by",
            "final_top",
            "normalise",
            "campaign",
            "indicator",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = Unit.objects.visible_to(user, "change").filter(depth__lte=2).order_by("path")
        self.fields["organizer"].empty_label = None
        self.fields["units"].queryset = Unit.objects.visible_to(user, "change").filter(depth=2, is_active=True).order_by("path")
        self.fields["units"].label_from_instance = lambda u: u.name
        if self.instance.pk:
            self.initial["units"] = [u.pk for u in self.instance.units.all()]
        self.fields["campaign"].queryset = Campaign.objects.open().order_by("-start_date")
        self.fields["campaign"].help_text = "获奖积分计入的活动；不计积分可留空"
        self.fields["indicator"].queryset = Indicator.objects.filter(campaign__is_closed=False).select_related("campaign")
        self.fields["indicator"].label_from_instance = lambda i: f"{i.campaign.name} · {i.name}"
        self.fields["indicator"].help_text = "各奖项的积分计入此指标；积分为 0 的奖项不计分"
        if self.instance.pk:
            self.initial["criteria"] = services.criteria_text(self.instance)
            self.initial["levels"] = services.levels_text(self.instance)
        self.style_fields()

    def clean(self):
        data = super().clean()
        for name in DATE_FIELDS:
            if data.get(name) is not None:
                data[name] = data[name].date
        if "criteria" in data:
            try:
                data["criteria_rows"] = services.parse_criteria(data["criteria"])
            except forms.ValidationError as exc:
                self.add_error("criteria", exc)
        if "levels" in data and data.get("award_by"):
            try:
                data["level_rows"] = services.parse_levels(data["levels"], data["award_by"])
            except forms.ValidationError as exc:
                self.add_error("levels", exc)
        return data

    def _post_clean(self):
        pass  # the service checks the model (contest_save runs full_clean)

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in services.CONTEST_FIELDS}


class PanelsForm(StyledFormMixin, forms.Form):
    """Up to four preliminary panels and a final panel, each a name and its judges (ticked)."""

    SLOTS = 4

    def __init__(self, *args, contest: Contest, **kwargs):
        super().__init__(*args, **kwargs)
        judges = services.judge_accounts()
        panels = list(contest.panels.prefetch_related("judges"))
        prelim = [p for p in panels if not p.is_final]
        final = next((p for p in panels if p.is_final), None)
        for i in range(self.SLOTS):
            panel = prelim[i] if i < len(prelim) else None
            self.fields[f"name_{i}"] = forms.CharField(
                label=f"初评第{i + 1}组名称",
                required=i == 0,
                max_length=50,
                initial=panel.name if panel else ("评审组" if i == 0 else ""),
            )
            self.fields[f"judges_{i}"] = forms.ModelMultipleChoiceField(
                label=f"初评第{i + 1}组评委",
                queryset=judges,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                initial=[j.pk for j in panel.judges.all()] if panel else [],
            )
        self.fields["final_name"] = forms.CharField(
            label="决赛评审组名称", required=False, max_length=50, initial=final.name if final else "", help_text="不设决赛时留空"
        )
        self.fields["final_judges"] = forms.ModelMultipleChoiceField(
            label="决赛评委",
            queryset=judges,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            initial=[j.pk for j in final.judges.all()] if final else [],
        )
        for field in self.fields.values():
            if isinstance(field, forms.ModelMultipleChoiceField):
                field.label_from_instance = lambda u: str(u)
        self.style_fields()

    def panels(self) -> list[dict]:
        data = self.cleaned_data
        made = [
            {"name": data[f"name_{i}"], "is_final": False, "judges": list(data[f"judges_{i}"])}
            for i in range(self.SLOTS)
            if (data.get(f"name_{i}") or "").strip()
        ]
        if (data.get("final_name") or "").strip():
            made.append({"name": data["final_name"], "is_final": True, "judges": list(data["final_judges"])})
        return made


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(StyledFormMixin, forms.Form):
    """Which submitted score goes back: the entry's code, the judge, and why."""

    code = forms.CharField(label="作品编号", max_length=12)
    judge = forms.ModelChoiceField(label="评委", queryset=User.objects.none(), empty_label="请选择评委")
    reason = forms.CharField(label="退回原因", max_length=200)

    def __init__(self, *args, contest: Contest, **kwargs):
        super().__init__(*args, **kwargs)
        self.contest = contest
        self.fields["judge"].queryset = User.objects.filter(contest_panels__contest=contest).distinct().order_by("username")
        self.fields["judge"].label_from_instance = lambda u: str(u)
        self.style_fields()

    def clean(self):
        data = super().clean()
        code, judge = (data.get("code") or "").strip().upper(), data.get("judge")
        if code and judge:
            found = (
                Assignment.objects.filter(
                    entry__contest=self.contest, entry__code=code, judge=judge, status=AssignmentStatus.SUBMITTED
                )
                .select_related("entry", "judge")
                .order_by("-stage")
                .first()
            )
            if found is None:
                raise forms.ValidationError(f"没有找到评委“{judge}”对作品 {code} 已提交的评分。")
            data["assignment"] = found
        return data
