"""Making an attempt's questions from its paper: the fixed questions, or a draw per rule; the
options shuffled per attempt; each question kept as shown (``AttemptItem.shown``/``key``).

A random draw prefers questions the person has not seen in any earlier attempt, then those they
have seen least, and picks at random among equals — so different people get different draws,
and a person retaking a quiz meets new questions while the bank has them. (Usage across all
people is not counted: a random pick among the unseen already spreads use evenly, and a shared
counter would be a row every starting attempt writes — docs/decisions.md.)
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count

from .models import CHOICE_TYPES, AttemptItem, Paper, PaperMode, PaperRule, Question, QuestionType

TRUE_FALSE_OPTIONS = ["正确", "错误"]
_FIELDS = ("id", "type", "text", "options", "answer", "reference", "explanation")


@dataclass(frozen=True)
class Drawn:
    question: Question
    points: Decimal


def rule_label(rule: PaperRule) -> str:
    what = rule.category.name if rule.category_id else "全部分类"
    level = f"（{rule.get_difficulty_display()}）" if rule.difficulty else ""
    return f"{what}{rule.get_type_display()}{level}"


def rule_candidates(rule: PaperRule, bank_ids):
    rows = Question.objects.active().filter(bank_id__in=bank_ids, type=rule.type)
    if rule.category_id:
        rows = rows.filter(category_id=rule.category_id)
    if rule.difficulty:
        rows = rows.filter(difficulty=rule.difficulty)
    return rows


def shortfalls(paper: Paper) -> list[str]:
    """What a random paper's banks cannot supply, one sentence per rule (empty when all can)."""
    if paper.mode != PaperMode.RANDOM:
        return [] if paper.fixed.exists() else ["试卷还没有试题。"]
    bank_ids = list(paper.banks.values_list("pk", flat=True))
    rules = list(paper.rules.select_related("category"))
    if not rules:
        return ["请设置抽题规则。"]
    if not bank_ids:
        return ["请选择抽题题库。"]
    out = []
    for rule in rules:
        have = rule_candidates(rule, bank_ids).count()
        if have < rule.count:
            out.append(f"{rule_label(rule)}需抽 {rule.count} 道，题库中只有 {have} 道。")
    return out


def seen_counts(person_id: int) -> Counter:
    rows = (
        AttemptItem.objects.filter(attempt__person_id=person_id, question__isnull=False)
        .values_list("question_id")
        .annotate(n=Count("pk"))
    )
    return Counter(dict(rows))


def choose(paper: Paper, person_id: int, rng: random.Random) -> list[Drawn]:
    """The questions of one attempt, in paper order (shuffled when the paper says so)."""
    if paper.mode == PaperMode.FIXED:
        chosen = [
            Drawn(pq.question, pq.points)
            for pq in paper.fixed.select_related("question").only("points", "position", *(f"question__{f}" for f in _FIELDS))
        ]
        if not chosen:
            raise ValidationError("试卷还没有试题。")
    else:
        bank_ids = [b.pk for b in paper.banks.all()]
        seen = seen_counts(person_id)
        taken: set[int] = set()
        picks: list[tuple[int, Decimal]] = []
        for rule in paper.rules.all():
            ids = [pk for pk in rule_candidates(rule, bank_ids).values_list("pk", flat=True) if pk not in taken]
            if len(ids) < rule.count:
                raise ValidationError(f"{rule_label(rule)}需抽 {rule.count} 道，题库中只有 {len(ids)} 道。")
            ids.sort(key=lambda pk: (seen[pk], rng.random()))
            for pk in ids[: rule.count]:
                taken.add(pk)
                picks.append((pk, rule.points))
        questions = Question.objects.only(*_FIELDS).in_bulk([pk for pk, _p in picks])
        chosen = [Drawn(questions[pk], points) for pk, points in picks]
    if paper.shuffle_questions:
        rng.shuffle(chosen)
    return chosen


def shown_item(question: Question, points: Decimal, position: int, shuffle: bool, rng: random.Random) -> AttemptItem:
    """One question as the attempt shows it, its key in the shown order."""
    shown: dict = {"type": question.type, "text": question.text}
    key: dict = {"explanation": question.explanation}
    order: list[int] = []
    if question.type in CHOICE_TYPES:
        order = list(range(len(question.options)))
        if shuffle:
            rng.shuffle(order)
        shown["options"] = [question.options[i] for i in order]
        key["answer"] = sorted(order.index(i) for i in question.answer)
    elif question.type == QuestionType.TRUE_FALSE:
        shown["options"] = TRUE_FALSE_OPTIONS
        key["answer"] = list(question.answer)
    elif question.type == QuestionType.FILL:
        shown["blanks"] = len(question.answer)
        key["answer"] = [list(accepted) for accepted in question.answer]
    else:
        key["answer"] = []
        key["reference"] = question.reference
    return AttemptItem(position=position, question=question, shown=shown, key=key, order=order, points=points)


def build_items(paper: Paper, person_id: int) -> list[AttemptItem]:
    rng = random.Random(secrets.randbits(64))
    return [
        shown_item(d.question, d.points, i, paper.shuffle_options, rng)
        for i, d in enumerate(choose(paper, person_id, rng), start=1)
    ]


def practice_items(questions: list[Question]) -> list[AttemptItem]:
    rng = random.Random(secrets.randbits(64))
    return [shown_item(q, Decimal("1"), i, True, rng) for i, q in enumerate(questions, start=1)]
