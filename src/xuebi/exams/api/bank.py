"""/api/v1/exams — the banks and papers: categories, banks, questions (answers written as the
import template writes them: ``B``, ``ABD``, ``正确``, ``1921|1921年；上海``, or a short answer's
reference), the .xlsx import and export, papers (fixed questions or random rules) and the check
of a paper against its banks. The same ``banks`` services and scoping as the pages."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.core import xlsx
from xuebi.core.api import DbInt, ErrorOut, LimitOffsetPagination, paginate
from xuebi.org.choices import ADMIN_ROLES
from xuebi.org.permissions import get_visible_or_404
from xuebi.org.scoping import has_role

from .. import banks, draw, services, sheets
from ..models import Bank, Category, Paper, Question, QuestionType

router = Router(tags=["题库与试卷"])


def _admin(user) -> None:
    if not has_role(user, *ADMIN_ROLES):
        raise PermissionDenied("只有单位管理员可以管理题库和试卷。")


def _category(pk: int | None) -> Category | None:
    if pk is None:
        return None
    found = Category.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError("分类不存在。")
    return found


# --- categories ---------------------------------------------------------------------------------------------


class CategoryOut(Schema):
    id: int
    name: str
    sort_order: int


class CategoryIn(Schema):
    name: str
    sort_order: int = 0


@router.get("/categories", response=list[CategoryOut], summary="试题分类")
def category_list(request):
    _admin(request.auth)
    return list(Category.objects.all())


@router.post("/categories", response={201: CategoryOut, 403: ErrorOut, 422: ErrorOut}, summary="新增试题分类（盟级管理员）")
def category_create(request, payload: CategoryIn):
    _admin(request.auth)
    return Status(201, banks.category_save(actor=request.auth, name=payload.name, sort_order=payload.sort_order))


# --- banks ---------------------------------------------------------------------------------------------------


class BankOut(Schema):
    id: int
    name: str
    unit_id: int
    description: str
    practice_open: bool
    can_change: bool
    questions: int


class BankIn(Schema):
    name: str
    unit_id: DbInt
    description: str = ""
    practice_open: bool = False


def _bank_out(bank: Bank, own: set[int]) -> dict:
    return {
        "id": bank.pk,
        "name": bank.name,
        "unit_id": bank.unit_id,
        "description": bank.description,
        "practice_open": bank.practice_open,
        "can_change": bank.pk in own,
        "questions": bank.total if hasattr(bank, "total") else bank.questions.count(),
    }


def _own_banks(user) -> set[int]:
    return set(Bank.objects.visible_to(user, "change").values_list("pk", flat=True))


def _owner_unit(user, pk: int):
    unit = banks.owner_units(user).filter(pk=pk).first()
    if unit is None:
        raise ValidationError({"unit": "单位不存在或不在您的管理范围内。"})
    return unit


def _bank_data(user, payload: BankIn) -> banks.BankData:
    unit = _owner_unit(user, payload.unit_id)
    return banks.BankData(name=payload.name, unit=unit, description=payload.description, practice_open=payload.practice_open)


@router.get("/banks", response=list[BankOut], summary="题库：本单位的和上级开放练习的")
@paginate(LimitOffsetPagination)
def bank_list(request):
    from django.db.models import Count

    _admin(request.auth)
    own = _own_banks(request.auth)
    rows = (
        Bank.objects.visible_to(request.auth, "practice").annotate(total=Count("questions")).order_by("unit__path", "name", "pk")
    )
    return [_bank_out(bank, own) for bank in rows[:500]]


@router.post("/banks", response={201: BankOut, 403: ErrorOut, 422: ErrorOut}, summary="新建题库")
def bank_create(request, payload: BankIn):
    _admin(request.auth)
    bank = banks.bank_save(actor=request.auth, data=_bank_data(request.auth, payload))
    return Status(201, _bank_out(bank, {bank.pk}))


@router.get("/banks/{int:pk}", response={200: BankOut, 404: ErrorOut}, summary="题库")
def bank_detail(request, pk: DbInt):
    _admin(request.auth)
    return _bank_out(get_visible_or_404(Bank, request.auth, pk, "practice"), _own_banks(request.auth))


@router.put("/banks/{int:pk}", response={200: BankOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}, summary="修改题库")
def bank_update(request, pk: DbInt, payload: BankIn):
    _admin(request.auth)
    bank = get_visible_or_404(Bank, request.auth, pk, "change")
    return _bank_out(banks.bank_save(actor=request.auth, data=_bank_data(request.auth, payload), bank=bank), {bank.pk})


@router.delete("/banks/{int:pk}", response={204: None, 404: ErrorOut, 422: ErrorOut}, summary="删除题库（试卷未使用时）")
def bank_delete(request, pk: DbInt):
    _admin(request.auth)
    banks.bank_delete(actor=request.auth, bank=get_visible_or_404(Bank, request.auth, pk, "change"))
    return Status(204, None)


# --- questions -----------------------------------------------------------------------------------------------


class QuestionOut(Schema):
    id: int
    bank_id: int
    category_id: int
    category: str
    type: str
    text: str
    options: list[str]
    answer: str
    explanation: str
    difficulty: int
    tags: str
    is_active: bool
    version: int


class QuestionIn(Schema):
    category_id: DbInt
    type: str
    text: str
    options: list[str] = []
    answer: str = ""
    explanation: str = ""
    difficulty: int = 2
    tags: str = ""
    is_active: bool = True


def _question_out(q: Question) -> dict:
    return {
        "id": q.pk,
        "bank_id": q.bank_id,
        "category_id": q.category_id,
        "category": q.category.name,
        "type": q.type,
        "text": q.text,
        "options": list(q.options),
        "answer": banks.answer_text(q),
        "explanation": q.explanation,
        "difficulty": q.difficulty,
        "tags": q.tags,
        "is_active": q.is_active,
        "version": q.version,
    }


def _question_data(payload: QuestionIn) -> banks.QuestionData:
    if len(payload.options) > banks.MAX_OPTIONS:
        raise ValidationError({"options": f"选项最多 {banks.MAX_OPTIONS} 个（A–H）。"})
    return banks.QuestionData(
        category=_category(payload.category_id),
        type=payload.type,
        text=payload.text,
        options=[o[:500] for o in payload.options],
        answer=payload.answer[:5000],
        explanation=payload.explanation,
        difficulty=payload.difficulty,
        tags=payload.tags,
        is_active=payload.is_active,
    )


@router.get(
    "/banks/{int:pk}/questions",
    response={200: list[QuestionOut], 404: ErrorOut},
    summary="题库中的试题（可按分类、题型、难度、字词筛选）",
)
@paginate(LimitOffsetPagination)
def question_list(
    request, pk: DbInt, category_id: DbInt | None = None, type: str = "", difficulty: DbInt | None = None, q: str = ""
):
    _admin(request.auth)
    bank = get_visible_or_404(Bank, request.auth, pk, "practice")
    rows = bank.questions.select_related("category").order_by("pk")
    if category_id:
        rows = rows.filter(category_id=category_id)
    if type:
        rows = rows.filter(type=type)
    if difficulty:
        rows = rows.filter(difficulty=difficulty)
    if q.strip():
        rows = rows.filter(text__icontains=q.strip())
    return [_question_out(question) for question in rows[:2000]]


@router.post(
    "/banks/{int:pk}/questions", response={201: QuestionOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}, summary="新建试题"
)
def question_create(request, pk: DbInt, payload: QuestionIn):
    _admin(request.auth)
    bank = get_visible_or_404(Bank, request.auth, pk, "change")
    return Status(201, _question_out(banks.question_save(actor=request.auth, bank=bank, data=_question_data(payload))))


@router.get("/questions/{int:pk}", response={200: QuestionOut, 404: ErrorOut}, summary="试题")
def question_detail(request, pk: DbInt):
    _admin(request.auth)
    question = get_visible_or_404(Question, request.auth, pk)
    return _question_out(question)


@router.put("/questions/{int:pk}", response={200: QuestionOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}, summary="修改试题")
def question_update(request, pk: DbInt, payload: QuestionIn):
    _admin(request.auth)
    question = get_visible_or_404(Question, request.auth, pk, "change")
    saved = banks.question_save(actor=request.auth, bank=question.bank, data=_question_data(payload), question=question)
    return _question_out(saved)


@router.delete("/questions/{int:pk}", response={204: None, 404: ErrorOut, 422: ErrorOut}, summary="删除试题（试卷未使用时）")
def question_delete(request, pk: DbInt):
    _admin(request.auth)
    banks.question_delete(actor=request.auth, question=get_visible_or_404(Question, request.auth, pk, "change"))
    return Status(204, None)


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    created: int
    errors: list[RowErrorOut]
    skipped: list[RowErrorOut]


@router.post(
    "/banks/{int:pk}/import",
    response={200: ImportOut, 404: ErrorOut, 422: ImportOut},
    summary="从 .xlsx 导入试题（全部导入或全部不导入）",
)
def question_import(request, pk: DbInt, file: File[UploadedFile]):
    _admin(request.auth)
    bank = get_visible_or_404(Bank, request.auth, pk, "change")
    result = sheets.import_questions(file, user=request.auth, bank=bank)
    body = {"created": result.created, "errors": [vars(e) for e in result.errors], "skipped": [vars(e) for e in result.skipped]}
    return Status(422 if result.errors else 200, body)


@router.get("/banks/{int:pk}/export", response={200: None, 404: ErrorOut}, summary="导出题库为 .xlsx（与导入模板同列）")
def question_export(request, pk: DbInt):
    _admin(request.auth)
    bank = get_visible_or_404(Bank, request.auth, pk, "change")
    rows = bank.questions.select_related("category").order_by("pk")
    content = sheets.export(bank, rows, today=timezone.localdate())
    audit_record(action=Action.EXAM_QUESTION_EXPORT, actor=request.auth, target=bank, changes={"行数": [0, len(rows)]})
    return xlsx.download(content, f"{bank.name}.xlsx")


# --- papers ---------------------------------------------------------------------------------------------------


class FixedOut(Schema):
    question_id: int
    points: Decimal


class RuleOut(Schema):
    category_id: int | None
    type: str
    difficulty: int | None
    count: int
    points: Decimal
    label: str


class PaperOut(Schema):
    id: int
    title: str
    unit_id: int
    mode: str
    bank_ids: list[int]
    shuffle_options: bool
    shuffle_questions: bool
    description: str
    questions: list[FixedOut]
    rules: list[RuleOut]
    max_score: Decimal
    problems: list[str]


class PaperIn(Schema):
    title: str
    unit_id: DbInt
    mode: str = "fixed"
    bank_ids: list[DbInt] = []
    shuffle_options: bool = True
    shuffle_questions: bool = False
    description: str = ""


class FixedIn(Schema):
    question_id: DbInt
    points: Decimal


class RuleIn(Schema):
    category_id: DbInt | None = None
    type: str
    difficulty: int | None = None
    count: int
    points: Decimal


def _paper_out(paper: Paper) -> dict:
    return {
        "id": paper.pk,
        "title": paper.title,
        "unit_id": paper.unit_id,
        "mode": paper.mode,
        "bank_ids": sorted(b.pk for b in paper.banks.all()),
        "shuffle_options": paper.shuffle_options,
        "shuffle_questions": paper.shuffle_questions,
        "description": paper.description,
        "questions": [{"question_id": pq.question_id, "points": pq.points} for pq in paper.fixed.all()],
        "rules": [
            {
                "category_id": r.category_id,
                "type": r.type,
                "difficulty": r.difficulty,
                "count": r.count,
                "points": r.points,
                "label": draw.rule_label(r),
            }
            for r in paper.rules.select_related("category")
        ],
        "max_score": services.max_score(paper),
        "problems": draw.shortfalls(paper),
    }


def _paper_data(user, payload: PaperIn) -> banks.PaperData:
    unit = _owner_unit(user, payload.unit_id)
    found = list(Bank.objects.visible_to(user, "practice").filter(pk__in=payload.bank_ids))
    if len(found) != len(set(payload.bank_ids)):
        raise ValidationError({"banks": "抽题题库中有不存在或您不能使用的题库。"})
    return banks.PaperData(
        title=payload.title,
        unit=unit,
        mode=payload.mode,
        banks=found,
        shuffle_options=payload.shuffle_options,
        shuffle_questions=payload.shuffle_questions,
        description=payload.description,
    )


@router.get("/papers", response=list[PaperOut], summary="试卷")
@paginate(LimitOffsetPagination)
def paper_list(request):
    _admin(request.auth)
    rows = Paper.objects.visible_to(request.auth).prefetch_related("banks", "fixed").order_by("-pk")
    return [_paper_out(paper) for paper in rows[:200]]


@router.post("/papers", response={201: PaperOut, 403: ErrorOut, 422: ErrorOut}, summary="新建试卷（固定组卷或随机抽题）")
def paper_create(request, payload: PaperIn):
    _admin(request.auth)
    return Status(201, _paper_out(banks.paper_save(actor=request.auth, data=_paper_data(request.auth, payload))))


@router.get("/papers/{int:pk}", response={200: PaperOut, 404: ErrorOut}, summary="试卷")
def paper_detail(request, pk: DbInt):
    _admin(request.auth)
    return _paper_out(get_visible_or_404(Paper, request.auth, pk))


@router.put("/papers/{int:pk}", response={200: PaperOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}, summary="修改试卷设置")
def paper_update(request, pk: DbInt, payload: PaperIn):
    _admin(request.auth)
    paper = get_visible_or_404(Paper, request.auth, pk, "change")
    return _paper_out(banks.paper_save(actor=request.auth, data=_paper_data(request.auth, payload), paper=paper))


@router.put(
    "/papers/{int:pk}/questions",
    response={200: PaperOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="固定试卷的试题（按顺序，每题分值）",
)
def paper_questions(request, pk: DbInt, payload: list[FixedIn]):
    _admin(request.auth)
    paper = get_visible_or_404(Paper, request.auth, pk, "change")
    chosen = [(row.question_id, row.points) for row in payload]
    return _paper_out(banks.paper_set_questions(actor=request.auth, paper=paper, chosen=chosen))


@router.put(
    "/papers/{int:pk}/rules", response={200: PaperOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}, summary="随机试卷的抽题规则"
)
def paper_rules(request, pk: DbInt, payload: list[RuleIn]):
    _admin(request.auth)
    paper = get_visible_or_404(Paper, request.auth, pk, "change")
    if any(rule.type not in QuestionType.values for rule in payload):
        raise ValidationError("抽题规则的题型不正确。")
    rules = [
        banks.RuleData(category=_category(r.category_id), type=r.type, difficulty=r.difficulty, count=r.count, points=r.points)
        for r in payload
    ]
    return _paper_out(banks.paper_set_rules(actor=request.auth, paper=paper, rules=rules))


class CheckOut(Schema):
    ok: bool
    max_score: Decimal
    problems: list[str]


@router.get("/papers/{int:pk}/check", response={200: CheckOut, 404: ErrorOut}, summary="检查试卷：满分，题库能否抽足")
def paper_check(request, pk: DbInt):
    _admin(request.auth)
    paper = get_visible_or_404(Paper, request.auth, pk)
    problems = draw.shortfalls(paper)
    return {"ok": not problems, "max_score": services.max_score(paper), "problems": problems}


@router.delete("/papers/{int:pk}", response={204: None, 404: ErrorOut, 422: ErrorOut}, summary="删除试卷（考试未使用时）")
def paper_delete(request, pk: DbInt):
    _admin(request.auth)
    banks.paper_delete(actor=request.auth, paper=get_visible_or_404(Paper, request.auth, pk, "change"))
    return Status(204, None)
