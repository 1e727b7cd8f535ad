"""What the results pages and API read (成绩、试题分析、排行、现场考评), always within the viewer's
scope: the attempts through ``Attempt.objects.visible_to`` and the people through
``Person.objects.visible_to`` — the organiser's administrators see every row, a county's only its
subtree's. A taker sees the leaderboard of an exam that reached them once it has closed (names,
units and scores, as the points boards show them), never anyone's answers.

Each person counts once, with the attempt ``Attempt.objects.counted`` picks (highest or last).
Rows are grouped by the county-level unit (盟委组织部 / 旗县市区委组织部) the attempt was taken in
(``Attempt.unit``, the unit at the time); the eligible people by the unit they are in now.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from xuebi.org.choices import ADMIN_ROLES
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import has_role

from . import services, stats
from .models import CHOICE_TYPES, DONE_STATUSES, Attempt, AttemptItem, AttemptStatus, Exam, QuestionType
from .selectors import LETTERS

COUNTY_PATH = 8  # the league is one step of the path (4 characters), a county department two
BANDS = 10
LIVE_LATEST = 20


def is_admin(user) -> bool:
    return has_role(user, *ADMIN_ROLES)


def may_see_leaderboard(user, exam: Exam, now=None) -> bool:
    """An administrator who follows the exam; a taker it reached, after it has closed."""
    if is_admin(user) and Exam.objects.visible_to(user).filter(pk=exam.pk).exists():
        return True
    return exam.is_closed(now) and Exam.objects.visible_to(user, "take").filter(pk=exam.pk).exists()


def leaderboard_exams(user, now=None) -> QuerySet[Exam]:
    """The exams whose leaderboard ``user`` may open (the scope the pages check, as a queryset)."""
    now = now or timezone.now()
    taken = Exam.objects.visible_to(user, "take").filter(closes_at__lte=now)
    if not is_admin(user):
        return taken
    return Exam.objects.filter(Q(pk__in=Exam.objects.visible_to(user).values("pk")) | Q(pk__in=taken.values("pk")))


# --- who should take it ---------------------------------------------------------------------------


def eligible_people(exam: Exam, user) -> QuerySet[Person]:
    """The people the exam is meant for (``services.eligible_people``) that ``user`` may see."""
    return services.eligible_people(exam).filter(pk__in=Person.objects.visible_to(user).values("pk"))


def county_path(path: str) -> str:
    return path[:COUNTY_PATH]


# --- the counted attempts -------------------------------------------------------------------------


def counted_attempts(exam: Exam, user, *, whole: bool = False) -> QuerySet[Attempt]:
    """The attempt that counts of each person, within the user's scope (``whole``: the exam's every
    attempt, for a taker's leaderboard), with ``used`` — how many attempts the person made."""
    base = Attempt.objects.all() if whole else Attempt.objects.visible_to(user)
    used = (
        Attempt.objects.filter(exam=exam, person_id=OuterRef("person_id"))
        .order_by()
        .values("person_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return base.counted(exam).select_related("person", "unit").annotate(used=Subquery(used))


def duration_seconds(attempt: Attempt) -> int | None:
    if attempt.submitted_at is None:
        return None
    return max(0, int((attempt.submitted_at - attempt.started_at).total_seconds()))


def duration_label(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}分{rest:02d}秒" if minutes else f"{rest}秒"


def unit_labels(attempts) -> dict[int, str]:
    """How a unit reads in a table of many counties: 阿巴嘎旗委组织部·组织股 (two counties both have
    a 组织股). One query for the county-level units."""
    units = {a.unit_id: a.unit for a in attempts}
    counties = dict(Unit.objects.filter(path__in={county_path(u.path) for u in units.values()}).values_list("path", "name"))
    out = {}
    for pk, unit in units.items():
        county = counties.get(county_path(unit.path), "")
        out[pk] = unit.name if len(unit.path) <= COUNTY_PATH or not county else f"{county}·{unit.name}"
    return out


def attempt_rows_of(attempts) -> list[dict[str, Any]]:
    attempts = list(attempts)
    labels = unit_labels(attempts) if attempts else {}
    return [attempt_row(a, labels.get(a.unit_id)) for a in attempts]


def attempt_row(attempt: Attempt, unit_label: str | None = None) -> dict[str, Any]:
    seconds = duration_seconds(attempt)
    return {
        "id": attempt.pk,
        "person_id": attempt.person_id,
        "person": attempt.person.name,
        "unit_id": attempt.unit_id,
        "unit": unit_label or attempt.unit.name,
        "score": attempt.score,
        "max_score": attempt.max_score,
        "passed": attempt.passed,
        "ungraded": attempt.ungraded,
        "number": attempt.number,
        "used": getattr(attempt, "used", None) or 1,
        "started_at": attempt.started_at,
        "submitted_at": attempt.submitted_at,
        "duration": seconds,
        "duration_label": duration_label(seconds),
    }


def attempt_rows(exam: Exam, user) -> list[dict[str, Any]]:
    return attempt_rows_of(counted_attempts(exam, user).order_by("unit__path", "person__name_pinyin", "pk"))


# --- per unit -------------------------------------------------------------------------------------


def band_of(score: Decimal | None, max_score: Decimal) -> int | None:
    """0 … 9: the tenth of the full score the score falls in (the full score itself in the last)."""
    if score is None or not max_score:
        return None
    return max(0, min(BANDS - 1, int(score * BANDS / max_score)))


BAND_LABELS = [f"{i * 10}%–{(i + 1) * 10}%" + ("" if i == BANDS - 1 else "以下") for i in range(BANDS)]


@dataclass
class UnitRow:
    unit_id: int | None
    name: str
    path: str
    eligible: int = 0
    took: int = 0
    passed: int = 0
    score_sum: Decimal = Decimal("0")
    scored: int = 0
    bands: list[int] = field(default_factory=lambda: [0] * BANDS)

    @property
    def participation(self) -> float | None:
        return round(100 * self.took / self.eligible, 1) if self.eligible else None

    @property
    def average(self) -> Decimal | None:
        return (self.score_sum / self.scored).quantize(Decimal("0.01")) if self.scored else None

    @property
    def pass_rate(self) -> float | None:
        return round(100 * self.passed / self.took, 1) if self.took else None

    def add(self, row: dict[str, Any]) -> None:
        self.took += 1
        self.passed += 1 if row["passed"] else 0
        if row["score"] is not None:
            self.scored += 1
            self.score_sum += row["score"]
        band = band_of(row["score"], row["max_score"])
        if band is not None:
            self.bands[band] += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "name": self.name,
            "eligible": self.eligible,
            "took": self.took,
            "participation": self.participation,
            "average": self.average,
            "pass_rate": self.pass_rate,
            "bands": list(self.bands),
        }


def unit_rows(exam: Exam, user, attempts: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Per county-level unit: eligible, took, participation %, average, pass rate %, and the
    distribution in tenths of the full score; with a 合计 row."""
    if attempts is None:
        attempts = attempt_rows(exam, user)
    unit_paths = dict(Unit.objects.filter(pk__in={a["unit_id"] for a in attempts}).values_list("pk", "path"))
    rows: dict[str, UnitRow] = {}

    def row_for(path: str) -> UnitRow:
        key = county_path(path)
        if key not in rows:
            rows[key] = UnitRow(None, "", key)
        return rows[key]

    for path, n in (
        eligible_people(exam, user).order_by().values("unit__path").annotate(n=Count("pk")).values_list("unit__path", "n")
    ):
        row_for(path).eligible += n
    for a in attempts:
        row_for(unit_paths[a["unit_id"]]).add(a)
    for unit in Unit.objects.filter(path__in=list(rows)).only("pk", "name", "path"):
        rows[unit.path].unit_id, rows[unit.path].name = unit.pk, unit.name
    ordered = [rows[key] for key in sorted(rows)]
    total = UnitRow(None, "合计", "")
    for r in ordered:
        total.eligible += r.eligible
        total.took += r.took
        total.passed += r.passed
        total.score_sum += r.score_sum
        total.scored += r.scored
        total.bands = [x + y for x, y in zip(total.bands, r.bands)]
    return {"units": [r.as_dict() for r in ordered], "total": total.as_dict(), "band_labels": BAND_LABELS}


# --- the leaderboard ------------------------------------------------------------------------------


def rank_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Counted score high to low, then the shorter time, then the earlier submission. Equal score
    and equal time share a rank (1, 1, 3); the submission time only orders them on the page."""
    far = dt.datetime.max.replace(tzinfo=dt.UTC)

    def key(r):
        score = r["score"] if r["score"] is not None else Decimal("-1")
        return (-score, r["duration"] if r["duration"] is not None else 10**9, r["submitted_at"] or far, r["id"])

    ordered = sorted(rows, key=key)
    rank, previous = 0, None
    for i, r in enumerate(ordered, start=1):
        tie = (r["score"], r["duration"])
        if tie != previous:
            rank, previous = i, tie
        r["rank"] = rank
    return ordered


def leaderboard(exam: Exam, user, now=None) -> list[dict[str, Any]]:
    """For an administrator the rows of their scope; for a taker the whole exam's."""
    whole = not (is_admin(user) and Exam.objects.visible_to(user).filter(pk=exam.pk).exists())
    return rank_rows(attempt_rows_of(counted_attempts(exam, user, whole=whole)))


# --- item statistics ------------------------------------------------------------------------------


@dataclass
class _Question:
    key: Any
    position: int
    type: str
    text: str
    points: Decimal
    options: list[str] = field(default_factory=list)  # in the question's own order
    scores: list[float] = field(default_factory=list)
    attempts: list[int] = field(default_factory=list)
    picks: list[tuple[list[int], list[int]]] = field(default_factory=list)


def _own_options(shown: dict, order: list[int]) -> list[str]:
    options = list(shown.get("options") or [])
    if not order or len(order) != len(options):
        return options
    own = [""] * len(options)
    for shown_index, own_index in enumerate(order):
        if 0 <= own_index < len(own):
            own[own_index] = options[shown_index]
    return own


def item_statistics(exam: Exam, user) -> dict[str, Any]:
    """Per question of the counted attempts in the user's scope: facility, SD, discrimination,
    efficiency and the most chosen wrong option; Cronbach's alpha of the test. Two queries: the
    counted attempts' ids and their items."""
    attempt_ids = list(Attempt.objects.visible_to(user).counted(exam).values_list("pk", flat=True))
    items = (
        AttemptItem.objects.filter(attempt_id__in=attempt_ids)
        .order_by("attempt_id", "position")
        .values_list("attempt_id", "position", "question_id", "shown", "key", "order", "points", "response", "score")
    )
    questions: dict[Any, _Question] = {}
    totals: dict[int, float] = defaultdict(float)
    by_attempt: dict[int, dict[Any, float | None]] = defaultdict(dict)
    for attempt_id, position, question_id, shown, key, order, points, response, score in items:
        qkey = question_id if question_id is not None else f"#{position}"
        q = questions.get(qkey)
        if q is None:
            q = questions[qkey] = _Question(
                qkey, position, shown.get("type", ""), shown.get("text", ""), points, _own_options(shown, order or [])
            )
        q.position = min(q.position, position)
        q.points = max(q.points, points)
        totals[attempt_id] += float(score or 0)
        by_attempt[attempt_id][qkey] = None if score is None else float(score)
        if score is None:
            continue  # a short answer not marked yet: left out of its question's figures
        q.scores.append(float(score))
        q.attempts.append(attempt_id)
        if q.type in CHOICE_TYPES and response is not None:
            chosen = stats.own_choices(response, order or [])
            answer = stats.own_choices((key or {}).get("answer") or [], order or [])
            q.picks.append((chosen, answer))
    rows = []
    for number, q in enumerate(sorted(questions.values(), key=lambda q: (q.position, str(q.key))), start=1):
        figures = stats.item_figures(q.scores, [totals[a] for a in q.attempts], float(q.points))
        wrong = stats.most_chosen_wrong(q.picks) if q.type in CHOICE_TYPES else None
        wrong_label = None
        if wrong is not None:
            option, times = wrong
            text = q.options[option] if option < len(q.options) else ""
            wrong_label = f"{LETTERS[option] if option < len(LETTERS) else option + 1}. {text}（{times}人）"
        rows.append(
            {
                "number": number,
                "question_id": q.key if isinstance(q.key, int) else None,
                "text": q.text,
                "type": q.type,
                "type_label": str(QuestionType(q.type).label) if q.type in QuestionType.values else q.type,
                "points": q.points,
                "answered": figures.answered,
                "facility": _round(figures.facility),
                "sd": _round(figures.sd),
                "discrimination": _round(figures.discrimination),
                "efficiency": _round(figures.efficiency),
                "wrong_option": wrong_label,
            }
        )
    alpha, alpha_note = _alpha(list(questions), by_attempt)
    return {"attempts": len(attempt_ids), "questions": rows, "alpha": _round(alpha, 3), "alpha_note": alpha_note}


def _alpha(keys: list, by_attempt: dict[int, dict[Any, float | None]]) -> tuple[float | None, str]:
    if len(by_attempt) < 2:
        return None, "交卷人数不足 2 人，无法计算。"
    wanted = set(keys)
    if any(set(row) != wanted for row in by_attempt.values()):
        return None, "随机抽题的试卷每人题目不同，不计算信度。"
    if any(v is None for row in by_attempt.values() for v in row.values()):
        return None, "还有简答题未阅完，阅完后再计算。"
    matrix = [[row[k] or 0.0 for k in keys] for row in by_attempt.values()]
    alpha = stats.cronbach_alpha(matrix)
    return alpha, "" if alpha is not None else "各人总分相同或试题不足 2 道，无法计算。"


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


# --- the live monitor -----------------------------------------------------------------------------


def live_figures(exam: Exam, user, now=None) -> dict[str, Any]:
    """An on-site session as it goes: how many of the eligible people have submitted, are
    answering, have not started; the latest submissions."""
    now = now or timezone.now()
    eligible = set(eligible_people(exam, user).values_list("pk", flat=True))
    visible = Attempt.objects.visible_to(user).filter(exam=exam)
    state: dict[int, str] = {}
    for person_id, status in visible.order_by().values_list("person_id", "status").distinct():
        if status == AttemptStatus.ACTIVE:
            state[person_id] = "answering"
        elif state.get(person_id) != "answering":
            state[person_id] = "submitted"
    answering = sum(1 for s in state.values() if s == "answering")
    submitted = sum(1 for s in state.values() if s == "submitted")
    latest = (
        visible.filter(status__in=DONE_STATUSES)
        .select_related("person", "unit")
        .order_by(F("submitted_at").desc(nulls_last=True), "-pk")[:LIVE_LATEST]
    )
    latest = list(latest)
    labels = unit_labels(latest) if latest else {}
    return {
        "exam_id": exam.pk,
        "phase": exam.phase_label(now),
        "eligible": len(eligible | set(state)),
        "submitted": submitted,
        "answering": answering,
        "not_started": len(eligible - set(state)),
        "latest": [
            {
                "id": a.pk,
                "person": a.person.name,
                "unit": labels.get(a.unit_id, a.unit.name),
                "score": a.score,
                "max_score": a.max_score,
                "passed": a.passed,
                "submitted_at": a.submitted_at,
                "time": timezone.localtime(a.submitted_at).strftime("%H:%M:%S") if a.submitted_at else "",
            }
            for a in latest
        ],
        "now": timezone.localtime(now).strftime("%H:%M:%S"),
    }


# --- one attempt, reviewed ------------------------------------------------------------------------


def review_refusal(attempt: Attempt, user, now=None) -> str:
    """Why ``user`` may not review ``attempt`` (empty when they may). The caller has checked it is
    in their scope (an administrator's, or their own)."""
    if attempt.exam_id is None:
        return "练习答卷没有评阅页。"
    if attempt.status not in DONE_STATUSES:
        return "答卷还未交卷，不能查看答案。"
    if is_admin(user) and Attempt.objects.visible_to(user).filter(pk=attempt.pk).exclude(person_id=user.person_id or 0).exists():
        return ""
    if attempt.person_id == getattr(user, "person_id", None):
        if attempt.exam is not None and attempt.exam.reveals_to_taker(now):
            return ""
        return "本场考试的答案和解析尚未公布。"
    return "您无权查看这份答卷。"


def review(attempt: Attempt) -> dict[str, Any]:
    """Each question with the response, the key and the score (a done attempt)."""
    from .selectors import answer_text

    items = []
    for item in attempt.items.all():
        shown = item.shown
        qtype = shown["type"]
        items.append(
            {
                "position": item.position,
                "type": qtype,
                "type_label": str(QuestionType(qtype).label) if qtype in QuestionType.values else qtype,
                "text": shown["text"],
                "options": shown.get("options") or [],
                "points": item.points,
                "response": item.response,
                "response_text": response_text(qtype, shown, item.response),
                "answer": item.key.get("answer"),
                "answer_text": answer_text(qtype, item.key.get("answer") or []),
                "reference": item.key.get("reference") or "",
                "explanation": item.key.get("explanation") or "",
                "score": item.score,
                "correct": item.correct,
                "comment": item.comment,
            }
        )
    return {
        "id": attempt.pk,
        "exam_id": attempt.exam_id,
        "person": attempt.person.name,
        "unit": attempt.unit.name,
        "number": attempt.number,
        "status": attempt.status,
        "score": attempt.score,
        "max_score": attempt.max_score,
        "passed": attempt.passed,
        "ungraded": attempt.ungraded,
        "started_at": attempt.started_at,
        "submitted_at": attempt.submitted_at,
        "items": items,
    }


def response_text(qtype: str, shown: dict, response) -> str:
    if response is None:
        return "未作答"
    if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        options = shown.get("options") or []
        return "、".join(
            f"{LETTERS[i]}. {options[i]}" if i < len(LETTERS) and i < len(options) else str(i)
            for i in response
            if isinstance(i, int)
        )
    if qtype == QuestionType.TRUE_FALSE:
        return "正确" if response and response[0] else "错误"
    return "；".join(str(v) for v in response)
