"""Keeping the question banks and papers: categories (the league's list), banks, questions of the
five types, and papers — fixed (chosen questions at their points) or random (rules drawn per
attempt). Every write is checked here, audited, and refused with a Chinese message naming the
field; the pages, the API and the .xlsx import (``sheets``) all come through these functions.

Answers are written the way the import template writes them (``parse_answer``/``answer_text``):
``B`` (single), ``ABD`` (multiple), ``正确``/``错误`` (true/false), ``1921|1921年；上海`` for a
fill-in of two blanks — blanks separated by ``；``, accepted answers of a blank by ``|``. A short
answer's "answer" is its reference answer.

A question already drawn into attempts keeps what the attempts showed (``AttemptItem.shown``); a
change bumps its ``version`` and a corrected key reaches past attempts only through the audited
regrade (``services.regrade``). A paper an exam has started on keeps its questions and rules: a
change would mark later takers against another paper.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record, diff
from xuebi.org.choices import Role
from xuebi.org.models import Unit
from xuebi.org.scoping import has_role

from . import draw
from .selectors import LETTERS
from .models import (
    CHOICE_TYPES,
    Attempt,
    Bank,
    Category,
    Difficulty,
    Exam,
    Paper,
    PaperMode,
    PaperQuestion,
    PaperRule,
    Question,
    QuestionType,
    fingerprint,
)

MAX_OPTIONS = len(LETTERS)
MAX_TEXT = 2000
MAX_FIXED = 200
MAX_RULES = 30
TRUE_WORDS = {"正确", "对", "√", "✓", "✔", "是", "T", "TRUE", "Y", "1"}
FALSE_WORDS = {"错误", "错", "×", "✗", "✘", "X", "否", "F", "FALSE", "N", "0"}
TYPE_WORDS = {str(t.label): t.value for t in QuestionType} | {str(t.label)[:2]: t.value for t in QuestionType}
DIFFICULTY_WORDS = {str(d.label): d.value for d in Difficulty} | {
    "容易": 1,
    "简单": 1,
    "中等": 2,
    "一般": 2,
    "困难": 3,
    "较难": 3,
}


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip()


# --- answers in words ----------------------------------------------------------------------------------------


def parse_answer(qtype: str, text: str, option_count: int) -> tuple[list, str]:
    """The stored ``answer`` (and, for a short answer, the ``reference``) from the answer as written.
    Raises ValidationError with the reason."""
    raw = _norm(text or "")
    if qtype == QuestionType.SHORT:
        return [], (text or "").strip()
    if not raw:
        raise ValidationError("请填写答案。")
    if qtype in CHOICE_TYPES:
        letters = [ch for ch in raw.upper() if ch not in " ,，、;；/"]
        bad = [ch for ch in letters if ch not in LETTERS[:option_count]]
        if bad or not letters:
            last = LETTERS[max(option_count, 1) - 1]
            raise ValidationError(f"答案“{raw}”应写选项字母（A–{last}），如 B 或 ABD。")
        indexes = sorted({LETTERS.index(ch) for ch in letters})
        if qtype == QuestionType.SINGLE and len(indexes) != 1:
            raise ValidationError(f"单选题只能有一个答案，“{raw}”有 {len(indexes)} 个。")
        if qtype == QuestionType.MULTIPLE and len(indexes) < 2:
            raise ValidationError("多选题至少有两个正确选项；只有一个正确选项的请改为单选题。")
        return indexes, ""
    if qtype == QuestionType.TRUE_FALSE:
        word = raw.upper()
        if word in TRUE_WORDS:
            return [True], ""
        if word in FALSE_WORDS:
            return [False], ""
        raise ValidationError(f"判断题的答案“{raw}”应写“正确”或“错误”（也可写 对/错、√/×）。")
    if qtype == QuestionType.FILL:
        blanks = []
        for number, part in enumerate(re.split(r"[;；\n]", (text or "").strip()), start=1):
            accepted = [a.strip() for a in re.split(r"[|｜]", part) if a.strip()]
            if not accepted:
                raise ValidationError(f"第 {number} 空没有答案（各空用“；”分隔，同一空的多个答案用“|”分隔）。")
            blanks.append(accepted)
        return blanks, ""
    raise ValidationError("题型不正确。")


def answer_text(question: Question) -> str:
    """The answer as the template writes it (what ``parse_answer`` reads back)."""
    if question.type in CHOICE_TYPES:
        return "".join(LETTERS[i] for i in question.answer if 0 <= i < MAX_OPTIONS)
    if question.type == QuestionType.TRUE_FALSE:
        return "正确" if question.answer and question.answer[0] else "错误"
    if question.type == QuestionType.FILL:
        return "；".join("|".join(blank) for blank in question.answer)
    return question.reference


def _one_line(value: str, label: str, limit: int, errors: dict[str, str], field_name: str) -> str:
    """A name typed on one line (spaces folded); a blank or too long one noted in ``errors``."""
    text = " ".join((value or "").split())
    if not text:
        errors[field_name] = f"请填写{label}。"
    elif len(text) > limit:
        errors[field_name] = f"{label}不超过 {limit} 个字。"
    return text


def _owned(actor, unit: Unit | None, errors: dict[str, str], message: str) -> None:
    if unit is None or not owner_units(actor).filter(pk=unit.pk).exists():
        errors["unit"] = message


# --- categories ------------------------------------------------------------------------------------------------


def can_keep_categories(user) -> bool:
    return has_role(user, Role.LEAGUE_ADMIN)


def _league_only(user) -> None:
    if not can_keep_categories(user):
        raise PermissionDenied("试题分类由盟委组织部统一维护。")


@transaction.atomic
def category_save(*, actor, name: str, sort_order: int = 0, category: Category | None = None) -> Category:
    _league_only(actor)
    errors: dict[str, str] = {}
    name = _one_line(name, "分类名称", 50, errors, "name")
    if errors:
        raise ValidationError(errors)
    others = Category.objects.exclude(pk=category.pk) if category else Category.objects.all()
    if others.filter(name=name).exists():
        raise ValidationError({"name": f"已有名为“{name}”的分类。"})
    before = {"name": category.name, "sort_order": str(category.sort_order)} if category else {}
    category = category or Category()
    category.name, category.sort_order = name, max(0, min(int(sort_order or 0), 32767))
    category.save()
    after = {"name": category.name, "sort_order": str(category.sort_order)}
    audit_record(action=Action.EXAM_CATEGORY_SAVE, actor=actor, target=category, changes=diff(before, after))
    return category


@transaction.atomic
def category_delete(*, actor, category: Category) -> None:
    _league_only(actor)
    used = Question.objects.filter(category=category).count()
    if used or PaperRule.objects.filter(category=category).exists():
        raise ValidationError(f"分类“{category.name}”下还有 {used} 道试题或被试卷的抽题规则使用，不能删除。")
    audit_record(action=Action.EXAM_CATEGORY_SAVE, actor=actor, target=category, changes={"name": [category.name, None]})
    category.delete()


# --- banks ---------------------------------------------------------------------------------------------------


def owner_units(user):
    """The units a user may keep banks and papers for: those they administer, down to the county."""
    return Unit.objects.visible_to(user, "change").filter(depth__lte=2, is_active=True).order_by("path")


@dataclass
class BankData:
    name: str
    unit: Unit
    description: str = ""
    practice_open: bool = False


def _bank_snapshot(bank: Bank) -> dict[str, str]:
    return {
        "name": bank.name,
        "unit": str(bank.unit_id or ""),
        "description": bank.description,
        "practice_open": str(bank.practice_open),
    }


@transaction.atomic
def bank_save(*, actor, data: BankData, bank: Bank | None = None) -> Bank:
    if bank is not None:
        bank = Bank.objects.visible_to(actor, "change").select_for_update(of=("self",)).get(pk=bank.pk)
    errors: dict[str, str] = {}
    name = _one_line(data.name, "题库名称", 100, errors, "name")
    _owned(actor, data.unit, errors, "只能为您管理的单位建题库。")
    if errors:
        raise ValidationError(errors)
    before = _bank_snapshot(bank) if bank else {}
    bank = bank or Bank(created_by=actor)
    bank.name, bank.unit, bank.description, bank.practice_open = name, data.unit, data.description.strip(), data.practice_open
    bank.save()
    audit_record(action=Action.EXAM_BANK_SAVE, actor=actor, target=bank, changes=diff(before, _bank_snapshot(bank)))
    return bank


@transaction.atomic
def bank_delete(*, actor, bank: Bank) -> None:
    """Delete a bank and its questions — not while a paper draws from it or uses one of them."""
    bank = Bank.objects.visible_to(actor, "change").select_for_update(of=("self",)).get(pk=bank.pk)
    papers = Paper.objects.filter(Q(banks=bank) | Q(fixed__question__bank=bank)).distinct()
    titles = list(papers.values_list("title", flat=True)[:3])
    if titles:
        raise ValidationError(f"试卷《{'》《'.join(titles)}》使用了本题库，不能删除。")
    count = bank.questions.count()
    audit_record(
        action=Action.EXAM_BANK_DELETE, actor=actor, target=bank, changes={"name": [bank.name, None], "试题数": [count, 0]}
    )
    bank.delete()


# --- questions -----------------------------------------------------------------------------------------------


@dataclass
class QuestionData:
    category: Category | None
    type: str
    text: str
    options: list[str] = field(default_factory=list)
    answer: str = ""  # as written: B / ABD / 正确 / 1921|1921年；上海 / the reference answer
    explanation: str = ""
    difficulty: int = Difficulty.MEDIUM
    tags: str = ""
    is_active: bool = True


@dataclass
class Checked:
    """A question's fields after ``check_question``: ready to store."""

    category: Category
    type: str
    text: str
    options: list[str]
    answer: list
    reference: str
    explanation: str
    difficulty: int
    tags: str
    is_active: bool
    fingerprint: str


def check_question(data: QuestionData) -> Checked:
    """The question as stored, or ValidationError with each problem under its field."""
    errors: dict[str, str] = {}
    text = (data.text or "").strip()
    if data.type not in QuestionType.values:
        raise ValidationError({"type": f"题型应为{'、'.join(str(t.label) for t in QuestionType)}之一。"})
    if not text:
        errors["text"] = "请填写题干。"
    elif len(text) > MAX_TEXT:
        errors["text"] = f"题干不超过 {MAX_TEXT} 个字。"
    if data.category is None:
        errors["category"] = "请选择分类。"
    options = [(o or "").strip() for o in data.options]
    while options and not options[-1]:
        options.pop()
    if data.type in CHOICE_TYPES:
        if len(options) < 2:
            errors["options"] = "选择题至少要有两个选项（选项A、选项B）。"
        elif len(options) > MAX_OPTIONS:
            errors["options"] = f"选项最多 {MAX_OPTIONS} 个（A–H）。"
        elif not all(options):
            gap = LETTERS[options.index("")]
            errors["options"] = f"选项{gap}是空的：选项应从 A 开始依次填写。"
        else:
            seen = [unicodedata.normalize("NFKC", o).casefold() for o in options]
            twice = [LETTERS[i] for i, o in enumerate(seen) if o in seen[:i]]
            if twice:
                errors["options"] = f"选项{twice[0]}与前面的选项相同。"
    elif options:
        errors["options"] = f"{QuestionType(data.type).label}不填选项。"
    answer: list = []
    reference = ""
    try:
        answer, reference = parse_answer(data.type, data.answer, len(options))
    except ValidationError as exc:
        errors.setdefault("answer", exc.messages[0])
    if data.difficulty not in Difficulty.values:
        errors["difficulty"] = "难度应为易、中、难之一。"
    if len(data.tags or "") > 200:
        errors["tags"] = "标签不超过 200 个字。"
    if errors or data.category is None:
        raise ValidationError(errors)
    return Checked(
        category=data.category,
        type=data.type,
        text=text,
        options=options if data.type in CHOICE_TYPES else [],
        answer=answer,
        reference=reference,
        explanation=(data.explanation or "").strip(),
        difficulty=data.difficulty,
        tags=" ".join((data.tags or "").replace("，", ",").replace(",", " ").split()),
        is_active=data.is_active,
        fingerprint=fingerprint(data.type, text, options if data.type in CHOICE_TYPES else []),
    )


def duplicate_of(bank: Bank, print_: str, exclude: int | None = None) -> Question | None:
    rows = bank.questions.filter(fingerprint=print_)
    return (rows.exclude(pk=exclude) if exclude else rows).order_by("pk").first()


def duplicate_message(question: Question) -> str:
    return f"与本题库第 {question.pk} 号试题重复：“{question.text[:30]}”。"


_CONTENT = ("type", "text", "options", "answer", "reference")
_SNAPSHOT = (*_CONTENT, "category_id", "explanation", "difficulty", "tags", "is_active")


def _question_snapshot(question: Question) -> dict[str, str]:
    return {name: str(getattr(question, name)) for name in _SNAPSHOT} if question.pk else {}


def _bank_for_change(actor, bank: Bank) -> Bank:
    found = Bank.objects.visible_to(actor, "change").filter(pk=bank.pk).first()
    if found is None:
        raise PermissionDenied("您无权修改这个题库。")
    return found


@transaction.atomic
def question_save(*, actor, bank: Bank, data: QuestionData, question: Question | None = None) -> Question:
    """Add a question to a bank, or change one. A duplicate of another question of the bank (same
    type, text and options, compared ignoring width, case and punctuation) is refused."""
    bank = _bank_for_change(actor, bank)
    if question is not None:
        question = Question.objects.select_for_update().get(pk=question.pk, bank=bank)
        if data.type != question.type:
            raise ValidationError({"type": "题型不能修改；请新建一道试题。"})
    checked = check_question(data)
    twin = duplicate_of(bank, checked.fingerprint, exclude=getattr(question, "pk", None))
    if twin is not None:
        raise ValidationError({"text": duplicate_message(twin)})
    before = _question_snapshot(question) if question else {}
    question = question or Question(bank=bank, created_by=actor)
    content_before = [getattr(question, name) for name in _CONTENT] if question.pk else None
    for name, value in vars(checked).items():
        setattr(question, name, value)
    if content_before is not None and content_before != [getattr(question, name) for name in _CONTENT]:
        question.version += 1
    question.save()
    audit_record(
        action=Action.EXAM_QUESTION_SAVE, actor=actor, target=question, changes=diff(before, _question_snapshot(question))
    )
    return question


@transaction.atomic
def question_delete(*, actor, question: Question) -> None:
    """Delete a question no paper uses (past attempts keep the question as they showed it)."""
    _bank_for_change(actor, question.bank)
    titles = list(Paper.objects.filter(fixed__question=question).values_list("title", flat=True)[:3])
    if titles:
        raise ValidationError(f"试卷《{'》《'.join(titles)}》使用了这道试题，不能删除；不再使用的试题可以停用。")
    audit_record(action=Action.EXAM_QUESTION_DELETE, actor=actor, target=question, changes={"text": [question.text[:60], None]})
    question.delete()


def question_data(question: Question) -> QuestionData:
    """A stored question as the form and the API write it."""
    return QuestionData(
        category=question.category,
        type=question.type,
        text=question.text,
        options=list(question.options),
        answer=answer_text(question),
        explanation=question.explanation,
        difficulty=question.difficulty,
        tags=question.tags,
        is_active=question.is_active,
    )


# --- papers --------------------------------------------------------------------------------------------------


@dataclass
class PaperData:
    title: str
    unit: Unit
    mode: str = PaperMode.FIXED
    banks: list[Bank] = field(default_factory=list)
    shuffle_options: bool = True
    shuffle_questions: bool = False
    description: str = ""


@dataclass
class RuleData:
    category: Category | None
    type: str
    count: int
    points: Any
    difficulty: int | None = None


def started(paper: Paper) -> bool:
    """Has anyone started an exam on this paper? (Then its questions and rules stay.)"""
    return Attempt.objects.filter(exam__paper=paper).exists()


def _paper_for_change(actor, paper: Paper) -> Paper:
    found = Paper.objects.visible_to(actor, "change").select_for_update(of=("self",)).filter(pk=paper.pk).first()
    if found is None:
        raise PermissionDenied("您无权修改这份试卷。")
    return found


def _not_started(paper: Paper) -> None:
    if started(paper):
        raise ValidationError("已有人用这份试卷答题，试题和抽题规则不能再修改；请复制一份新试卷。")


def _paper_snapshot(paper: Paper) -> dict[str, str]:
    if not paper.pk:
        return {}
    out = {
        name: str(getattr(paper, name))
        for name in ("title", "unit_id", "mode", "shuffle_options", "shuffle_questions", "description")
    }
    out["banks"] = ",".join(str(pk) for pk in sorted(paper.banks.values_list("pk", flat=True)))
    return out


def _points(value, label: str) -> Decimal:
    try:
        points = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{label}的分值应是数字，如 2 或 2.5。") from None
    if points < Decimal("0.5") or points > 100:
        raise ValidationError(f"{label}的分值应在 0.5 到 100 分之间。")
    if points * 2 != (points * 2).to_integral_value():
        raise ValidationError(f"{label}的分值应是 0.5 的整数倍。")
    return points


@transaction.atomic
def paper_save(*, actor, data: PaperData, paper: Paper | None = None) -> Paper:
    if paper is not None:
        paper = _paper_for_change(actor, paper)
    errors: dict[str, str] = {}
    title = _one_line(data.title, "试卷名称", 200, errors, "title")
    _owned(actor, data.unit, errors, "只能为您管理的单位组卷。")
    if data.mode not in PaperMode.values:
        errors["mode"] = "组卷方式应为固定组卷或随机抽题。"
    visible = Bank.objects.visible_to(actor, "practice")
    if len({b.pk for b in data.banks}) != visible.filter(pk__in=[b.pk for b in data.banks]).count():
        errors["banks"] = "只能从您可以使用的题库中抽题。"
    if data.mode == PaperMode.RANDOM and not data.banks:
        errors["banks"] = "随机抽题的试卷请选择至少一个题库。"
    if errors:
        raise ValidationError(errors)
    if paper is not None and paper.mode != data.mode:
        _not_started(paper)
        if paper.fixed.exists() or paper.rules.exists():
            raise ValidationError({"mode": "试卷已有试题或抽题规则，不能改变组卷方式。"})
    if (
        paper is not None
        and data.mode == PaperMode.RANDOM
        and {b.pk for b in data.banks} != set(paper.banks.values_list("pk", flat=True))
    ):
        _not_started(paper)
    before = _paper_snapshot(paper) if paper else {}
    paper = paper or Paper(created_by=actor)
    paper.title, paper.unit, paper.mode, paper.description = title, data.unit, data.mode, data.description.strip()
    paper.shuffle_options, paper.shuffle_questions = data.shuffle_options, data.shuffle_questions
    paper.save()
    paper.banks.set(data.banks if data.mode == PaperMode.RANDOM else [])
    audit_record(action=Action.EXAM_PAPER_SAVE, actor=actor, target=paper, changes=diff(before, _paper_snapshot(paper)))
    return paper


@transaction.atomic
def paper_set_questions(*, actor, paper: Paper, chosen: list[tuple[int, Any]]) -> Paper:
    """A fixed paper's questions, in order: (question id, points) each."""
    paper = _paper_for_change(actor, paper)
    if paper.mode != PaperMode.FIXED:
        raise ValidationError("随机抽题的试卷没有固定试题，请设置抽题规则。")
    _not_started(paper)
    if len(chosen) > MAX_FIXED:
        raise ValidationError(f"一份试卷最多 {MAX_FIXED} 道试题。")
    ids = [int(pk) for pk, _points in chosen]
    if len(set(ids)) != len(ids):
        raise ValidationError("同一道试题在试卷中只能出现一次。")
    usable = Question.objects.filter(pk__in=ids, bank__in=Bank.objects.visible_to(actor, "practice"))
    found = {q.pk: q for q in usable}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError(f"第 {missing[0]} 号试题不存在，或不在您可以使用的题库中。")
    rows = []
    for position, (pk, value) in enumerate(chosen, start=1):
        if not found[int(pk)].is_active:
            raise ValidationError(f"第 {pk} 号试题已停用，不能组卷。")
        rows.append(
            PaperQuestion(paper=paper, question_id=int(pk), points=_points(value, f"第 {position} 题"), position=position)
        )
    return _replace(actor, paper, paper.fixed.all(), rows, "试题", lambda pq: f"{pq.question_id}×{pq.points}")


@transaction.atomic
def paper_set_rules(*, actor, paper: Paper, rules: list[RuleData]) -> Paper:
    """A random paper's rules, in order; each draws ``count`` questions at ``points`` each."""
    paper = _paper_for_change(actor, paper)
    if paper.mode != PaperMode.RANDOM:
        raise ValidationError("固定组卷的试卷没有抽题规则，请选择试题。")
    _not_started(paper)
    if len(rules) > MAX_RULES:
        raise ValidationError(f"抽题规则最多 {MAX_RULES} 条。")
    rows = []
    for position, rule in enumerate(rules, start=1):
        label = f"第 {position} 条规则"
        if rule.type not in QuestionType.values:
            raise ValidationError(f"{label}的题型不正确。")
        if rule.difficulty not in (None, *Difficulty.values):
            raise ValidationError(f"{label}的难度不正确。")
        try:
            count = int(rule.count)
        except (TypeError, ValueError):
            raise ValidationError(f"{label}的题数应是整数。") from None
        if not 1 <= count <= 200:
            raise ValidationError(f"{label}的题数应在 1 到 200 之间。")
        rows.append(
            PaperRule(
                paper=paper,
                category=rule.category,
                type=rule.type,
                difficulty=rule.difficulty,
                count=count,
                points=_points(rule.points, label),
                position=position,
            )
        )
    rules_now = paper.rules.select_related("category")
    return _replace(actor, paper, rules_now, rows, "抽题规则", lambda r: f"{draw.rule_label(r)}×{r.count}×{r.points}")


def _replace(actor, paper: Paper, current, rows: list, label: str, describe) -> Paper:
    """Put ``rows`` (a paper's questions or rules) in place of ``current``, audited when they differ."""
    before = [describe(row) for row in current]
    current.delete()
    type(rows[0]).objects.bulk_create(rows) if rows else None
    after = [describe(row) for row in rows]
    changes = {label: ["；".join(before), "；".join(after)]} if before != after else {}
    audit_record(action=Action.EXAM_PAPER_SAVE, actor=actor, target=paper, changes=changes)
    return paper


@transaction.atomic
def paper_delete(*, actor, paper: Paper) -> None:
    paper = _paper_for_change(actor, paper)
    titles = list(Exam.objects.filter(paper=paper).values_list("title", flat=True)[:3])
    if titles:
        raise ValidationError(f"考试《{'》《'.join(titles)}》使用了这份试卷，不能删除。")
    audit_record(action=Action.EXAM_PAPER_DELETE, actor=actor, target=paper, changes={"title": [paper.title, None]})
    paper.delete()


@transaction.atomic
def paper_copy(*, actor, paper: Paper) -> Paper:
    """A new paper with this one's settings, questions and rules (to change a paper already used)."""
    source = Paper.objects.visible_to(actor).get(pk=paper.pk)
    copy = paper_save(
        actor=actor,
        data=PaperData(
            title=f"{source.title}（副本）"[:200],
            unit=source.unit if owner_units(actor).filter(pk=source.unit_id).exists() else owner_units(actor).first(),
            mode=source.mode,
            banks=list(source.banks.all()),
            shuffle_options=source.shuffle_options,
            shuffle_questions=source.shuffle_questions,
            description=source.description,
        ),
    )
    PaperQuestion.objects.bulk_create(
        PaperQuestion(paper=copy, question_id=pq.question_id, points=pq.points, position=pq.position) for pq in source.fixed.all()
    )
    PaperRule.objects.bulk_create(
        PaperRule(
            paper=copy,
            category_id=r.category_id,
            type=r.type,
            difficulty=r.difficulty,
            count=r.count,
            points=r.points,
            position=r.position,
        )
        for r in source.rules.all()
    )
    return copy
