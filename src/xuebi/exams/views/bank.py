"""The administrators' question banks and papers: 题库 (banks, their questions with a filter, a form
per question type, .xlsx import and export), 试题分类 (the league's list) and 试卷 (fixed papers —
chosen questions at their points; random papers — rules checked live against the banks — and a
preview). Writes only through ``banks`` and ``sheets``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.core import xlsx
from xuebi.core.forms import db_id, run_service
from xuebi.org.choices import ADMIN_ROLES
from xuebi.org.permissions import get_visible_or_404, require_role

from .. import banks, draw, selectors, services, sheets
from ..forms_bank import BankForm, CategoryForm, ImportForm, PaperForm, QuestionFilter, QuestionForm, QuestionTable, RuleFormSet
from ..models import Bank, Category, Paper, PaperMode, PaperRule, Question, QuestionType


def _admin(request) -> None:
    require_role(request, *ADMIN_ROLES)


def _refusal(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_page(request, form, *, title: str, back: str):
    return render(request, "core/form_page.html", {"form": form, "title": title, "back": back})


def _form_view(request, form, save, *, title: str, back: str, done: str, then):
    """The form; a valid POST runs ``save`` (a service call) and, when it saved, says ``done`` and
    goes where ``then(saved)`` says — else the form again with the service's reasons beside the fields."""
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, save)
        if saved is not None:
            messages.success(request, done)
            return then(saved)
    return _form_page(request, form, title=title, back=back)


# --- banks ---------------------------------------------------------------------------------------------------


@login_required
def bank_list(request):
    _admin(request)
    own = set(Bank.objects.visible_to(request.user, "change").values_list("pk", flat=True))
    rows = (
        Bank.objects.visible_to(request.user, "practice")
        .select_related("unit")
        .annotate(total=Count("questions"), active=Count("questions", filter=Q(questions__is_active=True)))
        .order_by("unit__path", "name", "pk")
    )
    return render(
        request,
        "exams/bank/list.html",
        {"banks": rows, "own": own, "can_categories": banks.can_keep_categories(request.user)},
    )


@login_required
def bank_create(request):
    _admin(request)
    form = BankForm(request.POST or None, user=request.user)
    return _form_view(
        request,
        form,
        lambda: banks.bank_save(actor=request.user, data=form.data_for_service()),
        title="新建题库",
        back=reverse("exams:bank_list"),
        done="题库已建立。可以逐题录入，也可以用模板批量导入。",
        then=lambda bank: redirect("exams:bank_detail", pk=bank.pk),
    )


@login_required
def bank_edit(request, pk: int):
    _admin(request)
    bank = get_visible_or_404(Bank, request.user, pk, "change")
    form = BankForm(request.POST or None, instance=bank, user=request.user)
    back = reverse("exams:bank_detail", args=[bank.pk])
    return _form_view(
        request,
        form,
        lambda: banks.bank_save(actor=request.user, data=form.data_for_service(), bank=bank),
        title=f"修改题库：{bank.name}",
        back=back,
        done="已保存。",
        then=lambda saved: redirect(back),
    )


@login_required
@require_POST
def bank_delete(request, pk: int):
    _admin(request)
    bank = get_visible_or_404(Bank, request.user, pk, "change")
    try:
        banks.bank_delete(actor=request.user, bank=bank)
    except ValidationError as exc:
        _refusal(request, exc)
        return redirect("exams:bank_detail", pk=bank.pk)
    messages.success(request, f"题库“{bank.name}”已删除。")
    return redirect("exams:bank_list")


@login_required
def bank_detail(request, pk: int):
    """A bank's questions, filtered (分类、题型、难度、字词) and paged."""
    _admin(request)
    bank = get_visible_or_404(Bank, request.user, pk, "practice")
    can_change = Bank.objects.visible_to(request.user, "change").filter(pk=bank.pk).exists()
    rows = bank.questions.select_related("category")
    question_filter = QuestionFilter(request.GET or None, queryset=rows)
    table = QuestionTable(question_filter.qs)
    if not can_change:
        table.columns["text"].link = None
    RequestConfig(request, paginate={"per_page": 30}).configure(table)
    counts = dict(bank.questions.values_list("type").annotate(n=Count("pk")))
    return render(
        request,
        "exams/bank/detail.html",
        {
            "bank": bank,
            "can_change": can_change,
            "filter": question_filter,
            "table": table,
            "types": [(t.value, t.label, counts.get(t.value, 0)) for t in QuestionType],
            "total": sum(counts.values()),
        },
    )


# --- questions -----------------------------------------------------------------------------------------------


def _question_page(request, form, *, bank: Bank, title: str, question: Question | None = None):
    back = reverse("exams:bank_detail", args=[bank.pk])
    return render(
        request, "exams/bank/question.html", {"form": form, "title": title, "back": back, "bank": bank, "question": question}
    )


def _save_question(request, form, bank: Bank, question: Question | None):
    try:
        return banks.question_save(actor=request.user, bank=bank, data=form.data_for_service(), question=question)
    except ValidationError as exc:
        form.add_service_error(exc)
    return None


@login_required
def question_create(request, pk: int, qtype: str):
    _admin(request)
    bank = get_visible_or_404(Bank, request.user, pk, "change")
    if qtype not in QuestionType.values:
        raise Http404("没有这种题型。")
    form = QuestionForm(request.POST or None, qtype=qtype)
    if request.method == "POST" and form.is_valid():
        question = _save_question(request, form, bank, None)
        if question is not None:
            messages.success(request, f"已添加第 {question.pk} 号试题。")
            if "another" in request.POST:
                return redirect("exams:question_create", pk=bank.pk, qtype=qtype)
            return redirect("exams:bank_detail", pk=bank.pk)
    label = QuestionType(qtype).label
    return _question_page(request, form, bank=bank, title=f"新建{label}：{bank.name}")


@login_required
def question_edit(request, pk: int):
    _admin(request)
    question = get_visible_or_404(Question, request.user, pk, "change")
    bank = question.bank
    form = QuestionForm(request.POST or None, qtype=question.type, initial=QuestionForm.initial_for(question))
    if request.method == "POST" and form.is_valid():
        saved = _save_question(request, form, bank, question)
        if saved is not None:
            messages.success(request, f"第 {question.pk} 号试题已保存。")
            return redirect("exams:bank_detail", pk=bank.pk)
    title = f"修改试题（第 {question.pk} 号，{question.get_type_display()}）"
    return _question_page(request, form, bank=bank, title=title, question=question)


@login_required
@require_POST
def question_delete(request, pk: int):
    _admin(request)
    question = get_visible_or_404(Question, request.user, pk, "change")
    try:
        banks.question_delete(actor=request.user, question=question)
    except ValidationError as exc:
        _refusal(request, exc)
        return redirect("exams:question_edit", pk=question.pk)
    messages.success(request, f"第 {pk} 号试题已删除。")
    return redirect("exams:bank_detail", pk=question.bank_id)


# --- import and export ------------------------------------------------------------------------------------------


@login_required
def bank_import(request, pk: int):
    """导入: all rows added, or none and every problem listed; duplicates reported and skipped."""
    _admin(request)
    bank = get_visible_or_404(Bank, request.user, pk, "change")
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = sheets.import_questions(form.cleaned_data["file"], user=request.user, bank=bank)
        if not result.errors and not result.skipped:
            messages.success(request, f"已导入 {result.created} 道试题。")
            return redirect("exams:bank_detail", pk=bank.pk)
    context = {"bank": bank, "form": form, "result": result, "columns": sheets.COLUMNS}
    return render(request, "exams/bank/import.html", context)


@login_required
def import_template(request):
    _admin(request)
    return xlsx.download(sheets.template(), "试题导入模板.xlsx")


@login_required
def bank_export(request, pk: int):
    _admin(request)
    bank = get_visible_or_404(Bank, request.user, pk, "change")
    rows = QuestionFilter(request.GET or None, queryset=bank.questions.select_related("category").order_by("pk")).qs
    content = sheets.export(bank, rows, today=timezone.localdate())
    audit_record(action=Action.EXAM_QUESTION_EXPORT, actor=request.user, target=bank, changes={"行数": [0, rows.count()]})
    return xlsx.download(content, f"{bank.name}.xlsx")


# --- categories ---------------------------------------------------------------------------------------------------


@login_required
def category_list(request):
    """试题分类: everyone keeping a bank reads the list; the league keeps it."""
    _admin(request)
    can_change = banks.can_keep_categories(request.user)
    form = CategoryForm(request.POST or None) if can_change else None
    if request.method == "POST" and form is not None and form.is_valid():
        call = lambda: banks.category_save(actor=request.user, **form.cleaned_data)  # noqa: E731
        if run_service(form, call, refusal_on_form=True) is not None:
            messages.success(request, f"已添加分类“{form.cleaned_data['name']}”。")
            return redirect("exams:category_list")
    rows = Category.objects.annotate(used=Count("questions"))
    return render(request, "exams/bank/categories.html", {"categories": rows, "form": form, "can_change": can_change})


@login_required
def category_edit(request, pk: int):
    _admin(request)
    if not banks.can_keep_categories(request.user):
        raise Http404("找不到该对象，或您无权访问。")
    try:
        category = Category.objects.get(pk=pk)
    except Category.DoesNotExist:
        raise Http404("找不到该对象，或您无权访问。") from None
    form = CategoryForm(request.POST or None, initial={"name": category.name, "sort_order": category.sort_order})
    if request.method == "POST" and "delete" in request.POST:
        try:
            banks.category_delete(actor=request.user, category=category)
            messages.success(request, f"分类“{category.name}”已删除。")
        except ValidationError as exc:
            _refusal(request, exc)
        return redirect("exams:category_list")
    if request.method == "POST" and form.is_valid():
        call = lambda: banks.category_save(actor=request.user, category=category, **form.cleaned_data)  # noqa: E731
        if run_service(form, call) is not None:
            messages.success(request, "已保存。")
            return redirect("exams:category_list")
    return _form_page(request, form, title=f"修改分类：{category.name}", back=reverse("exams:category_list"))


# --- papers ---------------------------------------------------------------------------------------------------


@login_required
def paper_list(request):
    _admin(request)
    rows = (
        Paper.objects.visible_to(request.user)
        .select_related("unit")
        .prefetch_related("fixed", "rules")
        .annotate(used=Count("exams", distinct=True))
        .order_by("-pk")[:300]
    )
    papers = [(paper, services.max_score(paper)) for paper in rows]
    return render(request, "exams/bank/papers.html", {"papers": papers})


@login_required
def paper_create(request):
    _admin(request)
    form = PaperForm(request.POST or None, user=request.user, initial={"mode": request.GET.get("mode", PaperMode.FIXED)})
    return _form_view(
        request,
        form,
        lambda: banks.paper_save(actor=request.user, data=form.data_for_service()),
        title="新建试卷",
        back=reverse("exams:paper_list"),
        done="试卷已建立：固定组卷请选择试题，随机抽题请设置抽题规则。",
        then=lambda paper: redirect("exams:paper_compose", pk=paper.pk),
    )


@login_required
def paper_edit(request, pk: int):
    _admin(request)
    paper = get_visible_or_404(Paper, request.user, pk, "change")
    form = PaperForm(request.POST or None, instance=paper, user=request.user)
    back = reverse("exams:paper_detail", args=[paper.pk])
    return _form_view(
        request,
        form,
        lambda: banks.paper_save(actor=request.user, data=form.data_for_service(), paper=paper),
        title=f"修改试卷：{paper.title}",
        back=back,
        done="已保存。",
        then=lambda saved: redirect(back),
    )


@login_required
def paper_compose(request, pk: int):
    """组卷: a fixed paper's questions or a random paper's rules, whichever the paper has."""
    _admin(request)
    paper = get_visible_or_404(Paper, request.user, pk, "change")
    return redirect("exams:paper_questions" if paper.mode == PaperMode.FIXED else "exams:paper_rules", pk=paper.pk)


def _paper_context(request, paper: Paper) -> dict:
    fixed = list(paper.fixed.select_related("question__category", "question__bank"))
    rules = list(paper.rules.select_related("category"))
    return {
        "paper": paper,
        "fixed": fixed,
        "rules": [(rule, draw.rule_label(rule), rule.points * rule.count) for rule in rules],
        "banks": paper.banks.select_related("unit"),
        "max_score": services.max_score(paper),
        "problems": draw.shortfalls(paper),
        "started": banks.started(paper),
        "exams": paper.exams.order_by("-pk")[:20],
        "can_change": Paper.objects.visible_to(request.user, "change").filter(pk=paper.pk).exists(),
    }


@login_required
def paper_detail(request, pk: int):
    _admin(request)
    paper = get_visible_or_404(Paper, request.user, pk)
    return render(request, "exams/bank/paper.html", _paper_context(request, paper))


@login_required
def paper_preview(request, pk: int):
    """The paper as a taker would see it, with the answers: a fixed paper's questions, or one sample
    draw of a random paper (a new one each time the page is opened)."""
    _admin(request)
    paper = get_visible_or_404(Paper, request.user, pk)
    problems = draw.shortfalls(paper)
    items = [] if problems else [selectors.item_view(i, reveal=True, scored=False) for i in draw.build_items(paper, person_id=0)]
    return render(
        request,
        "exams/bank/preview.html",
        {"paper": paper, "items": items, "problems": problems, "max_score": services.max_score(paper)},
    )


def _chosen_from_post(post) -> tuple[list[tuple[int, str]], list[str]]:
    """The fixed paper's questions from the picker: ``q`` ids in order with ``points_<id>`` each."""
    chosen, problems = [], []
    ids = [db_id(v) for v in post.getlist("q")]
    order = {}
    for pk in ids:
        if pk is None:
            problems.append("试题编号不正确。")
            continue
        raw = (post.get(f"order_{pk}") or "").strip()
        try:
            order[pk] = Decimal(raw) if raw else Decimal(10000 + len(order))  # newly ticked: at the end
        except InvalidOperation:
            problems.append(f"第 {pk} 号试题的题号“{raw}”不是数字。")
    for pk in sorted(order, key=lambda k: (order[k], ids.index(k))):
        chosen.append((pk, (post.get(f"points_{pk}") or "").strip() or "0"))
    return chosen, problems


@login_required
def paper_questions(request, pk: int):
    """A fixed paper's questions: those chosen (points, order, remove) and the banks' questions to add."""
    _admin(request)
    paper = get_visible_or_404(Paper, request.user, pk, "change")
    if paper.mode != PaperMode.FIXED:
        return redirect("exams:paper_rules", pk=paper.pk)
    if request.method == "POST":
        chosen, problems = _chosen_from_post(request.POST)
        try:
            if problems:
                raise ValidationError(problems)
            banks.paper_set_questions(actor=request.user, paper=paper, chosen=chosen)
            messages.success(request, f"已保存试卷的 {len(chosen)} 道试题。")
            return redirect("exams:paper_detail", pk=paper.pk)
        except ValidationError as exc:
            _refusal(request, exc)
    current = list(paper.fixed.select_related("question__category"))
    in_paper = {pq.question_id for pq in current}
    usable = (
        Question.objects.active()
        .filter(bank__in=Bank.objects.visible_to(request.user, "practice"))
        .select_related("category", "bank")
    )
    pick_filter = QuestionFilter(request.GET or None, queryset=usable.exclude(pk__in=in_paper).order_by("bank_id", "pk"))
    bank_id = db_id(request.GET.get("bank"))
    candidates = pick_filter.qs.filter(bank_id=bank_id) if bank_id else pick_filter.qs
    context = {
        "paper": paper,
        "current": current,
        "filter": pick_filter,
        "banks": Bank.objects.visible_to(request.user, "practice").select_related("unit").order_by("unit__path", "name"),
        "bank_id": bank_id,
        "candidates": candidates[:100],
        "more": candidates.count() > 100,
        "started": banks.started(paper),
        "default_points": {t.value: p for t, p in zip(QuestionType, ("2", "4", "1", "2", "10"))},
    }
    return render(request, "exams/bank/paper_questions.html", context)


@login_required
def paper_rules(request, pk: int):
    """A random paper's rules, each checked against the banks as the page shows it."""
    _admin(request)
    paper = get_visible_or_404(Paper, request.user, pk, "change")
    if paper.mode != PaperMode.RANDOM:
        return redirect("exams:paper_questions", pk=paper.pk)
    initial = [
        {"category": r.category_id, "type": r.type, "difficulty": r.difficulty, "count": r.count, "points": r.points}
        for r in paper.rules.all()
    ]
    formset = RuleFormSet(request.POST or None, initial=initial)
    if request.method == "POST" and formset.is_valid():
        rules = [f.rule_data() for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        try:
            banks.paper_set_rules(actor=request.user, paper=paper, rules=rules)
            problems = draw.shortfalls(paper)
            if problems:
                for problem in problems:
                    messages.warning(request, problem)
            else:
                messages.success(request, f"抽题规则已保存，满分 {services.max_score(paper).normalize():f} 分。")
            return redirect("exams:paper_rules" if "more" in request.POST else "exams:paper_detail", pk=paper.pk)
        except ValidationError as exc:
            _refusal(request, exc)
    bank_ids = list(paper.banks.values_list("pk", flat=True))
    have = [
        draw.rule_candidates(
            PaperRule(
                type=r["type"], category_id=r["category"], difficulty=r["difficulty"], count=r["count"], points=r["points"]
            ),
            bank_ids,
        ).count()
        for r in initial
    ]
    context = {
        "paper": paper,
        "formset": formset,
        "rows": list(zip(formset.forms, have + [None] * len(formset.forms))),
        "started": banks.started(paper),
        "banks": paper.banks.select_related("unit"),
    }
    return render(request, "exams/bank/paper_rules.html", context)


@login_required
def paper_available(request, pk: int):
    """How many questions the paper's banks hold for a rule (the rules page asks as a rule is typed)."""
    _admin(request)
    paper = get_visible_or_404(Paper, request.user, pk)
    qtype = request.GET.get("type", "")
    if qtype not in QuestionType.values:
        return JsonResponse({"available": None})
    rule = PaperRule(type=qtype, category_id=db_id(request.GET.get("category")), difficulty=db_id(request.GET.get("difficulty")))
    have = draw.rule_candidates(rule, list(paper.banks.values_list("pk", flat=True))).count()
    return JsonResponse({"available": have})


@login_required
@require_POST
def paper_copy(request, pk: int):
    _admin(request)
    paper = get_visible_or_404(Paper, request.user, pk)
    try:
        copy = banks.paper_copy(actor=request.user, paper=paper)
    except ValidationError as exc:
        _refusal(request, exc)
        return redirect("exams:paper_detail", pk=paper.pk)
    messages.success(request, "已复制为新试卷，可以修改后使用。")
    return redirect("exams:paper_detail", pk=copy.pk)


@login_required
@require_POST
def paper_delete(request, pk: int):
    _admin(request)
    paper = get_visible_or_404(Paper, request.user, pk, "change")
    try:
        banks.paper_delete(actor=request.user, paper=paper)
    except ValidationError as exc:
        _refusal(request, exc)
        return redirect("exams:paper_detail", pk=paper.pk)
    messages.success(request, f"试卷“{paper.title}”已删除。")
    return redirect("exams:paper_list")


urlpatterns = [
    path("banks/", bank_list, name="bank_list"),
    path("banks/new/", bank_create, name="bank_create"),
    path("banks/template.xlsx", import_template, name="import_template"),
    path("banks/<int:pk>/", bank_detail, name="bank_detail"),
    path("banks/<int:pk>/edit/", bank_edit, name="bank_edit"),
    path("banks/<int:pk>/delete/", bank_delete, name="bank_delete"),
    path("banks/<int:pk>/import/", bank_import, name="bank_import"),
    path("banks/<int:pk>/export.xlsx", bank_export, name="bank_export"),
    path("banks/<int:pk>/new/<str:qtype>/", question_create, name="question_create"),
    path("questions/<int:pk>/", question_edit, name="question_edit"),
    path("questions/<int:pk>/delete/", question_delete, name="question_delete"),
    path("categories/", category_list, name="category_list"),
    path("categories/<int:pk>/", category_edit, name="category_edit"),
    path("papers/", paper_list, name="paper_list"),
    path("papers/new/", paper_create, name="paper_create"),
    path("papers/<int:pk>/", paper_detail, name="paper_detail"),
    path("papers/<int:pk>/edit/", paper_edit, name="paper_edit"),
    path("papers/<int:pk>/preview/", paper_preview, name="paper_preview"),
    path("papers/<int:pk>/compose/", paper_compose, name="paper_compose"),
    path("papers/<int:pk>/questions/", paper_questions, name="paper_questions"),
    path("papers/<int:pk>/rules/", paper_rules, name="paper_rules"),
    path("papers/<int:pk>/available/", paper_available, name="paper_available"),
    path("papers/<int:pk>/copy/", paper_copy, name="paper_copy"),
    path("papers/<int:pk>/delete/", paper_delete, name="paper_delete"),
]
