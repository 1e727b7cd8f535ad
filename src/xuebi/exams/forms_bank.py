"""Forms of the question banks and papers: a bank, a category, a question of one type (its answer
asked the way the type needs it — a radio button, tick boxes, 正确/错误, one blank a line), a
paper, a fixed paper's questions and a random paper's rules; the question list's filter and table."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import Q
from django.utils.html import format_html

from xuebi.core.forms import StyledFormMixin

from . import banks
from .models import CHOICE_TYPES, Bank, Category, Difficulty, Paper, PaperMode, PaperRule, Question, QuestionType


class BankForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Bank
        fields = ["name", "unit", "description", "practice_open"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = banks.owner_units(user)
        self.fields["unit"].empty_label = None
        self.style_fields()

    def _post_clean(self):
        pass  # the service checks the bank (banks.bank_save)

    def data_for_service(self) -> banks.BankData:
        c = self.cleaned_data
        return banks.BankData(
            name=c["name"], unit=c["unit"], description=c.get("description") or "", practice_open=c["practice_open"]
        )


class CategoryForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="分类名称", max_length=50)
    sort_order = forms.IntegerField(label="排序", min_value=0, max_value=32767, initial=0, required=False)


class QuestionForm(StyledFormMixin, forms.Form):
    """One question of ``qtype``: only the fields that type has."""

    category = forms.ModelChoiceField(label="分类", queryset=Category.objects.all(), empty_label="请选择分类")
    text = forms.CharField(label="题干", max_length=banks.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}))
    explanation = forms.CharField(
        label="解析", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="交卷后（按考试设置）与答案一同显示"
    )
    difficulty = forms.TypedChoiceField(label="难度", choices=Difficulty.choices, coerce=int, initial=Difficulty.MEDIUM)
    tags = forms.CharField(label="标签", required=False, max_length=200, help_text="多个标签用空格或逗号分隔，如：长征 遵义会议")
    is_active = forms.BooleanField(label="启用（停用的试题不再被组卷和抽题）", required=False, initial=True)

    def __init__(self, *args, qtype: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.qtype = qtype
        fields = dict(self.fields)
        new: dict[str, forms.Field] = {"category": fields["category"], "text": fields["text"]}
        letters = [(letter, letter) for letter in banks.LETTERS]
        if qtype in CHOICE_TYPES:
            for i, letter in enumerate(banks.LETTERS):
                new[f"option_{letter.lower()}"] = forms.CharField(label=f"选项{letter}", required=i < 2, max_length=500)
            new["option_h"].help_text = "不用的选项留空；选项从 A 起依次填写"
        if qtype == QuestionType.SINGLE:
            new["answer"] = forms.ChoiceField(label="正确答案", choices=letters, widget=forms.RadioSelect)
        elif qtype == QuestionType.MULTIPLE:
            new["answer"] = forms.MultipleChoiceField(
                label="正确答案", choices=letters, widget=forms.CheckboxSelectMultiple, help_text="至少选两个"
            )
        elif qtype == QuestionType.TRUE_FALSE:
            new["answer"] = forms.ChoiceField(
                label="正确答案", choices=[("正确", "正确"), ("错误", "错误")], widget=forms.RadioSelect
            )
        elif qtype == QuestionType.FILL:
            new["answer"] = forms.CharField(
                label="各空答案",
                widget=forms.Textarea(attrs={"rows": 3, "placeholder": "1921|1921年\n上海"}),
                help_text="每空一行；同一空有多个可接受的答案时用 | 分隔。全角半角、大小写、空格不影响判分",
            )
        else:
            new["answer"] = forms.CharField(
                label="参考答案", required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="阅卷人评分时参考"
            )
        for name in ("explanation", "difficulty", "tags", "is_active"):
            new[name] = fields[name]
        self.fields = new
        self.style_fields()

    @classmethod
    def initial_for(cls, question: Question) -> dict:
        data = banks.question_data(question)
        initial = {"category": question.category_id, "text": data.text, "explanation": data.explanation}
        initial |= {"difficulty": data.difficulty, "tags": data.tags, "is_active": data.is_active}
        for letter, option in zip(banks.LETTERS, data.options):
            initial[f"option_{letter.lower()}"] = option
        if question.type == QuestionType.MULTIPLE:
            initial["answer"] = list(data.answer)
        elif question.type == QuestionType.FILL:
            initial["answer"] = "\n".join(data.answer.split("；"))
        else:
            initial["answer"] = data.answer
        return initial

    def data_for_service(self) -> banks.QuestionData:
        c = self.cleaned_data
        options = [c.get(f"option_{letter.lower()}", "") or "" for letter in banks.LETTERS] if self.qtype in CHOICE_TYPES else []
        answer = c.get("answer") or ""
        if isinstance(answer, list):
            answer = "".join(answer)
        return banks.QuestionData(
            category=c.get("category"),
            type=self.qtype,
            text=c.get("text", ""),
            options=options,
            answer=answer,
            explanation=c.get("explanation", ""),
            difficulty=c.get("difficulty") or Difficulty.MEDIUM,
            tags=c.get("tags", ""),
            is_active=c.get("is_active", False),
        )

    def add_service_error(self, exc) -> None:
        """The service's errors beside the fields; the options' beside 选项A."""
        for name, errors in exc.message_dict.items():
            target = "option_a" if name == "options" and "option_a" in self.fields else name
            self.add_error(target if target in self.fields else None, errors)


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label="试题文件（.xlsx）", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


class PaperForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Paper
        fields = ["title", "unit", "mode", "banks", "shuffle_options", "shuffle_questions", "description"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "banks": forms.CheckboxSelectMultiple,
            "mode": forms.RadioSelect,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = banks.owner_units(user)
        self.fields["unit"].empty_label = None
        self.fields["banks"].queryset = (
            Bank.objects.visible_to(user, "practice").select_related("unit").order_by("unit__path", "name")
        )
        self.fields["banks"].label_from_instance = lambda b: f"{b.name}（{b.unit.name}）"
        self.fields["banks"].help_text = "随机抽题时从所选题库中抽取；固定组卷不用选"
        self.style_fields()

    def _post_clean(self):
        pass  # the service checks the paper (banks.paper_save)

    def data_for_service(self) -> banks.PaperData:
        c = self.cleaned_data
        return banks.PaperData(
            title=c["title"],
            unit=c["unit"],
            mode=c["mode"],
            banks=list(c.get("banks") or []),
            shuffle_options=c["shuffle_options"],
            shuffle_questions=c["shuffle_questions"],
            description=c.get("description") or "",
        )


class RuleForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = PaperRule
        fields = ["category", "type", "difficulty", "count", "points"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].empty_label = "全部分类"
        self.fields["difficulty"].choices = [("", "不限难度"), *Difficulty.choices]
        self.fields["type"].choices = [("", "请选择题型"), *QuestionType.choices]
        self.style_fields()
        for field in self.fields.values():
            field.widget.attrs["class"] += (
                " form-control-sm" if "form-control" in field.widget.attrs["class"] else " form-select-sm"
            )

    def _post_clean(self):
        pass  # the service checks the rules (banks.paper_set_rules)

    def rule_data(self) -> banks.RuleData:
        c = self.cleaned_data
        return banks.RuleData(
            category=c.get("category"), type=c["type"], difficulty=c.get("difficulty"), count=c["count"], points=c["points"]
        )


RuleFormSet = forms.formset_factory(RuleForm, extra=1, can_delete=True, max_num=banks.MAX_RULES, absolute_max=banks.MAX_RULES)


class QuestionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="题干", method="search", widget=forms.TextInput(attrs={"placeholder": "题干、选项或标签中的字词", "type": "search"})
    )
    category = django_filters.ModelChoiceFilter(label="分类", queryset=Category.objects.all(), empty_label="全部分类")
    type = django_filters.ChoiceFilter(label="题型", choices=QuestionType.choices, empty_label="全部题型")
    difficulty = django_filters.ChoiceFilter(label="难度", choices=Difficulty.choices, empty_label="全部难度")
    is_active = django_filters.BooleanFilter(
        label="状态", widget=forms.Select(choices=[("", "启用和停用"), ("true", "启用"), ("false", "停用")])
    )

    class Meta:
        model = Question
        fields = ["q", "category", "type", "difficulty", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.form.fields.values():
            css = "form-select form-select-sm" if isinstance(f.widget, forms.Select) else "form-control form-control-sm"
            f.widget.attrs["class"] = css
            f.widget.attrs["aria-label"] = f.label

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(text__icontains=value) | Q(options__icontains=value) | Q(tags__icontains=value))


WIDE = {"th": {"class": "d-none d-md-table-cell text-nowrap"}, "td": {"class": "d-none d-md-table-cell"}}  # not on a phone
NOWRAP = {"th": {"class": "text-nowrap"}, "td": {"class": "text-nowrap"}}


class QuestionTable(tables.Table):
    pk = tables.Column(verbose_name="编号", attrs=NOWRAP)
    type = tables.Column(verbose_name="题型", attrs=NOWRAP)
    category = tables.Column(verbose_name="分类", order_by=("category__sort_order", "category_id"), attrs=WIDE)
    text = tables.Column(verbose_name="题干", linkify=("exams:question_edit", {"pk": tables.A("pk")}))
    answer = tables.Column(verbose_name="答案", orderable=False, empty_values=(), attrs=NOWRAP)
    difficulty = tables.Column(verbose_name="难度", attrs=WIDE)
    is_active = tables.Column(verbose_name="状态", attrs=WIDE)

    class Meta:
        model = Question
        fields = ("pk", "type", "category", "text", "answer", "difficulty", "is_active")
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "question-table"}
        empty_text = "没有符合条件的试题。"
        order_by = ("pk",)

    def render_text(self, value):
        return value if len(value) <= 60 else value[:60] + "…"

    def render_answer(self, record):
        text = banks.answer_text(record)
        return text if len(text) <= 20 else text[:20] + "…"

    def render_is_active(self, record):
        if record.is_active:
            return format_html('<span class="badge text-bg-success">{}</span>', "启用")
        return format_html('<span class="badge text-bg-secondary">{}</span>', "停用")


__all__ = [
    "BankForm",
    "CategoryForm",
    "QuestionForm",
    "ImportForm",
    "PaperForm",
    "RuleForm",
    "RuleFormSet",
    "QuestionFilter",
    "QuestionTable",
    "PaperMode",
]
