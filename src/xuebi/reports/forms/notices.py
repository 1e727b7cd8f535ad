"""The notice's form: what it ranks (the boards' own period and 类别 parser, ``points.forms.BoardForm``),
for which issuing unit, and its framing text. One validator for the page and the API."""

from __future__ import annotations

from django import forms

from xuebi.core.forms import StyledFormMixin

from xuebi.org.models import Unit
from xuebi.points.forms import BoardForm

from ..models import Ranking
from ..selectors import notices as selectors

TEXT_WIDGETS = {"opening": 4, "praise": 3, "remind": 3, "closing": 3}


class NoticeForm(BoardForm):
    issuer = forms.ModelChoiceField(label="发文单位", queryset=Unit.objects.none(), empty_label=None)
    # a contest's results notice is drafted from the contest's page, a 组工信息 one from its ranking page
    ranking = forms.ChoiceField(
        label="排名对象",
        choices=[c for c in Ranking.choices if c[0] not in (Ranking.CONTEST, Ranking.ORGINFO)],
        initial=Ranking.UNITS,
    )
    scope = forms.ModelChoiceField(
        label="排名范围",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="发文单位的全部范围",
        help_text="个人排名：该单位（含下级）的人员；单位排名：该单位的直属下级单位",
    )
    title = forms.CharField(label="标题", max_length=200)
    recipients = forms.CharField(label="主送机关", max_length=200, required=False)
    opening = forms.CharField(label="开头", required=False)
    praise = forms.CharField(label="表扬", required=False)
    remind = forms.CharField(label="提醒", required=False)
    closing = forms.CharField(label="结尾", required=False)

    field_order = ["issuer", "period", "start", "end", "category", "ranking", "scope"]

    def __init__(self, *args, user, campaign, today, issuers: list[Unit], **kwargs):
        super().__init__(*args, campaign=campaign, today=today, **kwargs)
        del self.fields["per_head"], self.fields["unit"], self.fields["on"]  # a month or quarter is chosen in 通报期间
        self.fields["period"].label = "通报期间"
        self.fields["start"].label, self.fields["end"].label = "自定义期间的开始日期", "自定义期间的结束日期"
        self.fields["end"].help_text = "通报期间选“自定义”时填写"
        self.fields["issuer"].queryset = Unit.objects.filter(pk__in=[u.pk for u in issuers])
        self.fields["issuer"].label_from_instance = lambda u: u.name
        if issuers and not self.is_bound:
            self.initial.setdefault("issuer", issuers[0].pk)
        scope = Unit.objects.none()
        for issuer in issuers:
            scope |= Unit.objects.filter(path__startswith=issuer.path, is_active=True)
        self.fields["scope"].queryset = scope.order_by("path")
        self.fields["scope"].label_from_instance = lambda u: ("　" * max(u.depth - 1, 0)) + u.name
        for name, rows in TEXT_WIDGETS.items():
            self.fields[name].widget = forms.Textarea(attrs={"rows": rows})
        self.fields["title"].help_text = "可写占位符，如 {期间}、{前列}，生成时按排名数据填入（见下方说明）"
        self.style_fields()

    def clean(self):
        data = super().clean()
        issuer, scope = data.get("issuer"), data.get("scope")
        if issuer and scope and not scope.path.startswith(issuer.path):
            self.add_error("scope", "排名范围应在发文单位之内。")
        for name in ("title", "recipients", "opening", "praise", "remind", "closing"):
            unknown = selectors.unknown_placeholders(data.get(name) or "")
            if unknown:
                self.add_error(name, f"不认识的占位符：{'、'.join(f'{{{u}}}' for u in unknown)}。")
        return data

    def question(self) -> selectors.Question:
        data = self.cleaned_data
        return selectors.Question(
            self.campaign,
            data["span"],
            data.get("period") or "campaign",
            data["ranking"],
            data["dimension"],
            data["indicator"],
            data.get("scope"),
        )

    def texts(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in ("title", "recipients", *TEXT_WIDGETS)}


class NoticeTextForm(StyledFormMixin, forms.Form):
    """The draft's words only — for a notice whose table another app made (a contest's results, the
    组工信息 ranking): what it ranks is fixed by where it was drafted from."""

    title = forms.CharField(label="标题", max_length=200)
    recipients = forms.CharField(label="主送机关", max_length=200, required=False)
    opening = forms.CharField(label="开头", required=False, widget=forms.Textarea(attrs={"rows": TEXT_WIDGETS["opening"]}))
    praise = forms.CharField(label="表扬", required=False, widget=forms.Textarea(attrs={"rows": TEXT_WIDGETS["praise"]}))
    remind = forms.CharField(label="提醒", required=False, widget=forms.Textarea(attrs={"rows": TEXT_WIDGETS["remind"]}))
    closing = forms.CharField(label="结尾", required=False, widget=forms.Textarea(attrs={"rows": TEXT_WIDGETS["closing"]}))

    def texts(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in ("title", "recipients", *TEXT_WIDGETS)}


class LetterheadForm(forms.Form):
    authority = forms.CharField(label="发文机关标志", max_length=40, help_text="如：中共锡林郭勒盟委组织部")
    prefix = forms.CharField(label="发文字号代字", max_length=10, help_text="如：锡组通（字号为 锡组通〔2026〕12号）")
