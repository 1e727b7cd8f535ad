"""Exams: setting one up and publishing it (``exam_save``, ``exam_publish``, ``exam_cancel``), taking
it (``start``, ``save_answers``, ``submit``, ``close_expired``), marking short answers
(``grade_item``), regrading after a fixed question (``regrade``), and practice with the
wrong-answer book (``practice_start``, ``practice_answer``).

The server keeps the time: an attempt's ``deadline`` is fixed when it starts (the time limit, and
never past the exam's close), and any save or submit after it closes the attempt with what was
saved before it (超时收卷). An attempt is locked (``SELECT … FOR UPDATE``) by every write, so a
save racing a submit, two tabs or a retried submit leave one result; the database allows one
active attempt per person and exam (``exams_one_active_attempt``).

Points are not given inside the request: a finished attempt enqueues ``tasks.result_changed``,
which tells the points app (``events.result_changed``) to award the counted attempt's points.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record, diff
from xuebi.campaign.models import Campaign, Indicator, Rule
from xuebi.campaign.services import rules as rule_services
from xuebi.org.models import Person, Unit

from . import draw, grading
from .models import (
    DONE_STATUSES,
    Attempt,
    AttemptItem,
    AttemptStatus,
    Bank,
    Category,
    Exam,
    ExamKind,
    ExamStatus,
    Mistake,
    Paper,
    Question,
    QuestionType,
)

PRACTICE_MAX = 50


def _locked(attempt: Attempt) -> Attempt:
    """The attempt, locked for this transaction (``of=self``: PostgreSQL refuses FOR UPDATE over
    the nullable side of a join)."""
    return Attempt.objects.select_for_update(of=("self",)).select_related("exam").get(pk=attempt.pk)


def _own(user, attempt: Attempt) -> None:
    if attempt.user_id != user.pk and (not user.person_id or attempt.person_id != user.person_id):
        raise PermissionDenied("这不是您的答卷。")


# --- setting up an exam ------------------------------------------------------------------------------


@dataclass
class ExamData:
    title: str
    unit: Unit
    paper: Paper
    opens_at: dt.datetime
    closes_at: dt.datetime
    kind: str = ExamKind.QUIZ
    description: str = ""
    room: str = ""
    time_limit: int | None = None
    attempts_allowed: int = 1
    counts: str = "highest"
    pass_mark: Decimal = Decimal("60")
    partial: str = "none"
    reveal: str = "after_close"
    layout: str = "one"
    units: list[Unit] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    campaign: Campaign | None = None
    indicator: Indicator | None = None
    full_points: Decimal | None = None
    pass_points: Decimal | None = None


SETTINGS = (
    "title", "kind", "unit", "paper", "description", "room", "opens_at", "closes_at", "time_limit", "attempts_allowed",
    "counts", "pass_mark", "partial", "reveal", "layout", "campaign", "indicator", "full_points", "pass_points",
)  # fmt: skip


def _snapshot(exam: Exam) -> dict[str, Any]:
    out = {name: str(getattr(exam, f"{name}_id", None) or getattr(exam, name) or "") for name in SETTINGS}
    if exam.pk:
        out["units"] = ",".join(str(pk) for pk in sorted(exam.units.values_list("pk", flat=True)))
        out["people"] = ",".join(str(pk) for pk in sorted(exam.people.values_list("pk", flat=True)))
    return out


def max_score(paper: Paper) -> Decimal:
    """The paper's full score (reads prefetched ``fixed``/``rules`` when they are)."""
    if paper.mode == "fixed":
        return sum((pq.points for pq in paper.fixed.all()), Decimal("0"))
    return sum((rule.points * rule.count for rule in paper.rules.all()), Decimal("0"))


def _check(actor, exam: Exam, data: ExamData) -> None:
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = "请填写考试名称。"
    if not Unit.objects.visible_to(actor, "change").filter(pk=data.unit.pk).exists():
        errors["unit"] = "只能以您管理的单位组织考试。"
    if not Paper.objects.visible_to(actor).filter(pk=data.paper.pk).exists():
        errors["paper"] = "请选择您可以使用的试卷。"
    if data.closes_at <= data.opens_at:
        errors["closes_at"] = "结束时间应晚于开始时间。"
    full = max_score(data.paper)
    if data.pass_mark < 0 or data.pass_mark > full:
        errors["pass_mark"] = f"及格分应在 0 到试卷满分 {full.normalize():f} 分之间。"
    if data.indicator is not None and data.campaign is None:
        errors["campaign"] = "计入考核指标时请选择活动。"
    if data.indicator is not None and data.campaign is not None and data.indicator.campaign_id != data.campaign.pk:
        errors["indicator"] = "考核指标不属于所选活动。"
    for name in ("full_points", "pass_points"):
        value = getattr(data, name)
        if value is not None and (value < 0 or value > 100):
            errors[name] = "积分应在 0 到 100 之间。"
    if data.indicator is None and (data.full_points or data.pass_points):
        errors["indicator"] = "给积分时请选择计入的考核指标。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def exam_save(*, actor, data: ExamData, exam: Exam | None = None) -> Exam:
    """Create or change an exam's settings. Once people have started it, its paper, its window's
    start and the way it is marked stay as they were (a change would treat them differently)."""
    if exam is not None:
        exam = Exam.objects.visible_to(actor, "change").select_for_update(of=("self",)).get(pk=exam.pk)
        if exam.status == ExamStatus.CANCELLED:
            raise ValidationError("该考试已撤销。")
        if exam.attempts.exists():
            frozen = [("paper", "试卷"), ("partial", "多选题计分"), ("counts", "成绩计算")]
            changed = [label for name, label in frozen if getattr(exam, name) != getattr(data, name)]
            if changed:
                raise ValidationError(f"已有人答题，不能再修改{'、'.join(changed)}。")
    _check(actor, exam or Exam(), data)
    before = _snapshot(exam) if exam else {}
    exam = exam or Exam(created_by=actor)
    for name in SETTINGS:
        setattr(exam, name, getattr(data, name))
    exam.save()
    exam.units.set(data.units)
    exam.people.set(data.people)
    _sync_rule(actor, exam)
    audit_record(action=Action.EXAM_SAVE, actor=actor, target=exam, changes=diff(before, _snapshot(exam)))
    return exam


def _sync_rule(actor, exam: Exam) -> Rule | None:
    """The campaign rule that turns a result (满分, 及格) into points, as a contest's award levels do."""
    lookup = {}
    if exam.full_points:
        lookup["满分"] = f"{exam.full_points.normalize():f}"
    if exam.pass_points:
        lookup["及格"] = f"{exam.pass_points.normalize():f}"
    return rule_services.lookup_rule_sync(
        actor=actor,
        source_type="exam",
        source_kind=exam.source_kind,
        campaign=exam.campaign,
        indicator=exam.indicator,
        name=f"{exam.title}成绩",
        field_key="result",
        lookup=lookup,
    )


@transaction.atomic
def exam_publish(*, actor, exam: Exam) -> Exam:
    exam = Exam.objects.visible_to(actor, "change").select_for_update(of=("self",)).get(pk=exam.pk)
    if exam.status != ExamStatus.DRAFT:
        raise ValidationError("该考试已发布或已撤销。")
    if not exam.units.exists() and not exam.people.exists():
        raise ValidationError("请选择参考单位或参考人员。")
    if problems := draw.shortfalls(exam.paper):
        raise ValidationError(problems)
    if exam.closes_at <= timezone.now():
        raise ValidationError("结束时间已过，请先修改考试时间。")
    exam.status = ExamStatus.PUBLISHED
    exam.published_at = timezone.now()
    exam.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(action=Action.EXAM_PUBLISH, actor=actor, target=exam, changes={"status": ["draft", "published"]})
    _announce(exam)
    return exam


@transaction.atomic
def exam_open_now(*, actor, exam: Exam, minutes: int) -> Exam:
    """现场考评: open the exam in the room now for ``minutes`` (publishing it if it is a draft);
    the people in the room start it on their phones and the organiser watches the live page."""
    exam = Exam.objects.visible_to(actor, "change").select_for_update(of=("self",)).get(pk=exam.pk)
    if exam.status == ExamStatus.CANCELLED:
        raise ValidationError("该考试已撤销。")
    if not 5 <= minutes <= 600:
        raise ValidationError({"minutes": "考试时长应在 5 到 600 分钟之间。"})
    if exam.attempts.exists() and exam.is_open():
        raise ValidationError("考试正在进行，已有人答题。")
    if not exam.units.exists() and not exam.people.exists():
        raise ValidationError("请选择参考单位或参考人员。")
    if problems := draw.shortfalls(exam.paper):
        raise ValidationError(problems)
    before = _snapshot(exam)
    now = timezone.now()
    exam.opens_at, exam.closes_at = now, now + dt.timedelta(minutes=minutes)
    if exam.status == ExamStatus.DRAFT:
        exam.status, exam.published_at = ExamStatus.PUBLISHED, now
    exam.save(update_fields=["opens_at", "closes_at", "status", "published_at", "updated_at"])
    audit_record(action=Action.EXAM_PUBLISH, actor=actor, target=exam, changes=diff(before, _snapshot(exam)))
    _announce(exam)
    return exam


@transaction.atomic
def exam_cancel(*, actor, exam: Exam, reason: str) -> Exam:
    """Withdraw an exam: nobody takes it any more and the points it gave are reversed."""
    from . import events

    exam = Exam.objects.visible_to(actor, "change").select_for_update(of=("self",)).get(pk=exam.pk)
    if exam.status == ExamStatus.CANCELLED:
        raise ValidationError("该考试已撤销。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写撤销原因。"})
    before = exam.status
    exam.status = ExamStatus.CANCELLED
    exam.save(update_fields=["status", "updated_at"])
    Attempt.objects.filter(exam=exam, status=AttemptStatus.ACTIVE).update(
        status=AttemptStatus.TIMED_OUT, submitted_at=timezone.now()
    )
    audit_record(
        action=Action.EXAM_CANCEL, actor=actor, target=exam, changes={"status": [before, "cancelled"], "reason": [None, reason]}
    )
    events.exam_cancelled.send(sender=Exam, exam=exam, actor=actor, reason=reason)
    return exam


def eligible_people(exam: Exam):
    """The people an exam is for: the active 组工干部 of the subtrees of its units, and the people it names."""
    from django.db.models import Q

    from xuebi.org.choices import PersonStatus
    from xuebi.org.scoping import subtree_q

    paths = list(exam.units.values_list("path", flat=True))
    q = Q(pk__in=exam.people.values("pk"))
    if paths:
        q |= subtree_q(paths, "unit") & Q(is_org_cadre=True)
    return Person.objects.filter(q, status=PersonStatus.ACTIVE)


def announce(exam_id: int) -> int:
    """Tell the people of a published exam (the message centre; the bell) and the organiser's group
    robots. Once per exam and person, however often it runs. Answers how many were told."""
    from xuebi.notifications import services as notifications
    from xuebi.notifications.models import Webhook
    from xuebi.org.models import User

    exam = Exam.objects.filter(pk=exam_id, status=ExamStatus.PUBLISHED).select_related("unit").first()
    if exam is None:
        return 0
    when = f"{timezone.localtime(exam.opens_at):%m月%d日 %H:%M}—{timezone.localtime(exam.closes_at):%m月%d日 %H:%M}"
    title = f"请参加{exam.get_kind_display()}：{exam.title}"
    body = (
        f"考试时间 {when}"
        + (f"，限时 {exam.time_limit} 分钟" if exam.time_limit else "")
        + (f"，考场：{exam.room}" if exam.room else "")
    )
    url = f"/exams/{exam.pk}/"
    accounts = User.objects.filter(is_active=True, person__in=eligible_people(exam)).values_list("pk", flat=True)
    told = notifications.notify(
        notifications.Message(pk, title, body=body + "。", url=url, topic="exams", key=f"exam:{exam.pk}:published")
        for pk in accounts.iterator(chunk_size=2000)
    )
    for webhook in Webhook.objects.filter(unit=exam.unit, is_active=True):
        notifications.post(
            webhook, key=f"exam:{exam.pk}:published", title=f"学比：{title}", lines=[body], url=notifications.absolute(url)
        )
    return told


def _announce(exam: Exam) -> None:
    from . import tasks

    pk = exam.pk
    transaction.on_commit(lambda: tasks.announce.enqueue(pk))


# --- taking it ---------------------------------------------------------------------------------------


def _deadline(exam: Exam, started: dt.datetime) -> dt.datetime:
    if exam.time_limit:
        return min(started + dt.timedelta(minutes=exam.time_limit), exam.closes_at)
    return exam.closes_at


def start(*, user, exam: Exam) -> tuple[Attempt, bool]:
    """The person's attempt at the exam: the active one if there is one (resume: the same
    questions, the time that is left), else a new one drawn now. (attempt, made now)."""
    person = Person.objects.filter(pk=user.person_id).first() if user.person_id else None
    if person is None:
        raise PermissionDenied("您的账号没有关联人员信息，不能参加考试。")
    now = timezone.now()
    active = Attempt.objects.filter(exam=exam, person=person, status=AttemptStatus.ACTIVE).first()
    if active is not None:
        if active.expired(now):
            close_attempt(active, now=now)
        else:
            return active, False
    if exam.status != ExamStatus.PUBLISHED:
        raise ValidationError("该考试未发布或已撤销。")
    if now < exam.opens_at:
        raise ValidationError(f"考试尚未开始，开始时间：{timezone.localtime(exam.opens_at):%Y-%m-%d %H:%M}。")
    if now >= exam.closes_at:
        raise ValidationError("考试已结束。")
    used = Attempt.objects.filter(exam=exam, person=person).aggregate(n=Max("number"))["n"] or 0
    if used >= exam.attempts_allowed:
        raise ValidationError(f"本考试可答 {exam.attempts_allowed} 次，您已答完。")
    items = draw.build_items(exam.paper, person.pk)
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                exam=exam,
                person=person,
                unit_id=person.unit_id,
                user=user,
                number=used + 1,
                started_at=now,
                deadline=_deadline(exam, now),
                max_score=sum((item.points for item in items), Decimal("0")),
            )
            for item in items:
                item.attempt = attempt
            AttemptItem.objects.bulk_create(items)
            _close_at_deadline(attempt)
    except IntegrityError:
        # another tab or a retry started it at the same moment: that one is the attempt
        again = Attempt.objects.filter(exam=exam, person=person, status=AttemptStatus.ACTIVE).first()
        if again is None:
            raise ValidationError("请刷新后重试。") from None
        return again, False
    return attempt, True


def _responses(attempt: Attempt, answers: list[tuple[int, Any]]) -> tuple[dict[int, Any], dict[int, AttemptItem]]:
    """({position: cleaned response}, {position: item}), every answer checked before any is kept."""
    items = {item.position: item for item in AttemptItem.objects.filter(attempt_id=attempt.pk).only("position", "shown")}
    cleaned: dict[int, Any] = {}
    for position, response in answers:
        item = items.get(position) if isinstance(position, int) else None
        if item is None:
            raise ValidationError(f"第 {position} 题不在本答卷中。")
        try:
            cleaned[position] = grading.clean_response(item.shown["type"], item.shown, response)
        except ValidationError as exc:
            raise ValidationError(f"第 {position} 题：{exc.messages[0]}") from None
    return cleaned, items


def save_answers(*, user, attempt: Attempt, answers: list[tuple[int, Any]]) -> Attempt:
    """Keep answers as the taker gives them; after the deadline, close the attempt instead (and
    say so: the closing is kept, the late answers are not)."""
    with transaction.atomic():
        attempt = _locked(attempt)
        _own(user, attempt)
        if not attempt.is_active:
            raise ValidationError("本答卷已交卷，不能再修改答案。")
        now = timezone.now()
        if not attempt.expired(now):
            _keep(*_responses(attempt, answers), now)
            return attempt
        close_attempt(attempt, now=now, locked=True)
    raise ValidationError("答题时间已到，系统已按已保存的答案收卷。")


def _keep(cleaned: dict[int, Any], items: dict[int, AttemptItem], now: dt.datetime) -> None:
    rows = [items[position] for position in cleaned]
    for item in rows:
        item.response = cleaned[item.position]
        item.answered_at = now
    if rows:
        AttemptItem.objects.bulk_update(rows, ["response", "answered_at"])


def _grade_items(attempt: Attempt, items: list[AttemptItem]) -> None:
    """Score every item that a rule can score (a short answer waits for a person), then the attempt."""
    partial = attempt.exam.partial if attempt.exam is not None else "none"
    for item in items:
        if item.graded_by_id:
            continue  # a person marked it: a regrade keeps their score
        result = grading.grade(item.shown["type"], item.key, item.response, item.points, partial)
        item.score, item.correct = result.score, result.correct
    _total(attempt, items)


def _total(attempt: Attempt, items: list[AttemptItem]) -> None:
    attempt.score = sum((item.score for item in items if item.score is not None), Decimal("0")).quantize(grading.TWO)
    attempt.ungraded = sum(1 for item in items if item.score is None)
    attempt.passed = None if attempt.ungraded or attempt.exam is None else attempt.score >= attempt.exam.pass_mark


def _finish(attempt: Attempt, status: str, now: dt.datetime) -> Attempt:
    items = list(attempt.items.all())
    _grade_items(attempt, items)
    AttemptItem.objects.bulk_update(items, ["score", "correct"])
    attempt.status = status
    attempt.submitted_at = now
    attempt.graded_version = 1
    attempt.save(update_fields=["status", "submitted_at", "score", "ungraded", "passed", "graded_version"])
    if attempt.exam_id:
        _result_changed(attempt.exam_id, attempt.person_id)
    return attempt


def _close_at_deadline(attempt: Attempt) -> None:
    from . import tasks

    pk, when = attempt.pk, attempt.deadline
    transaction.on_commit(lambda: tasks.close_at_deadline.using(run_after=when).enqueue(pk))


def _result_changed(exam_id: int, person_id: int) -> None:
    from . import tasks

    transaction.on_commit(lambda: tasks.result_changed.enqueue(exam_id, person_id))


@transaction.atomic
def submit(*, user, attempt: Attempt, answers: list[tuple[int, Any]] | None = None) -> Attempt:
    """Hand the attempt in (with last answers, when given). Handing in again changes nothing and
    answers the same result; past the deadline the answers kept before it are what is marked."""
    attempt = _locked(attempt)
    _own(user, attempt)
    if not attempt.is_active:
        return attempt
    now = timezone.now()
    if attempt.expired(now):
        return _finish(attempt, AttemptStatus.TIMED_OUT, attempt.deadline or now)
    if answers:
        _keep(*_responses(attempt, answers), now)
    return _finish(attempt, AttemptStatus.SUBMITTED, now)


def close_attempt(attempt: Attempt, *, now: dt.datetime | None = None, locked: bool = False) -> Attempt:
    """超时收卷: close an attempt past its deadline with what was saved."""
    with transaction.atomic():
        if not locked:
            attempt = _locked(attempt)
        if not attempt.is_active:
            return attempt
        return _finish(attempt, AttemptStatus.TIMED_OUT, attempt.deadline or now or timezone.now())


def close_expired(now: dt.datetime | None = None) -> int:
    """Close every attempt past its deadline (periodic; a taker who never comes back is marked too)."""
    now = now or timezone.now()
    done = 0
    for attempt in Attempt.objects.filter(status=AttemptStatus.ACTIVE, deadline__lte=now, exam__isnull=False).only("pk"):
        close_attempt(attempt, now=now)
        done += 1
    return done


def unanswered(attempt: Attempt) -> list[int]:
    return list(attempt.items.filter(response__isnull=True).values_list("position", flat=True))


# --- marking by a person and regrading -----------------------------------------------------------------


@transaction.atomic
def grade_item(*, actor, item: AttemptItem, score, comment: str = "") -> AttemptItem:
    """A grader marks a short answer (or changes their mark). Nobody marks their own attempt."""
    attempt = _locked(item.attempt)
    exam = attempt.exam
    if exam is None or not Exam.objects.visible_to(actor, "change").filter(pk=exam.pk).exists():
        raise PermissionDenied("您无权为本考试阅卷。")
    if actor.person_id and actor.person_id == attempt.person_id:
        raise PermissionDenied("不能为自己的答卷评分。")
    if attempt.status not in DONE_STATUSES:
        raise ValidationError("答卷尚未交卷。")
    item = AttemptItem.objects.select_for_update().get(pk=item.pk)
    if item.shown["type"] != QuestionType.SHORT:
        raise ValidationError("只有简答题需要人工评分。")
    before = None if item.score is None else str(item.score)
    item.score = grading.manual_score(item.points, score)
    item.correct = item.score == item.points
    item.comment = comment.strip()[:500]
    item.graded_by, item.graded_at = actor, timezone.now()
    item.save(update_fields=["score", "correct", "comment", "graded_by", "graded_at"])
    items = list(attempt.items.all())
    _total(attempt, items)
    attempt.graded_version = F("graded_version") + 1
    attempt.save(update_fields=["score", "ungraded", "passed", "graded_version"])
    attempt.refresh_from_db(fields=["graded_version"])
    audit_record(
        action=Action.EXAM_GRADE, actor=actor, target=attempt, changes={f"第{item.position}题": [before, str(item.score)]}
    )
    _result_changed(exam.pk, attempt.person_id)
    return item


def grading_queue(user, exam: Exam):
    """The short answers of finished attempts that wait for a mark, oldest first."""
    return (
        AttemptItem.objects.filter(
            attempt__exam=exam, attempt__status__in=DONE_STATUSES, shown__type=QuestionType.SHORT, score__isnull=True
        )
        .exclude(attempt__person_id=user.person_id or 0)
        .select_related("attempt__person", "attempt__unit")
        .order_by("attempt__submitted_at", "attempt_id", "position")
    )


def _key_now(question: Question, item: AttemptItem) -> dict:
    """A question's key as it is now, in the order the attempt showed its options."""
    key = dict(item.key)
    key["explanation"] = question.explanation
    if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        if len(item.order) != len(question.options):
            raise ValidationError(f"试题“{question.text[:20]}”的选项个数已改变，不能按新答案重新评分。")
        key["answer"] = sorted(item.order.index(i) for i in question.answer)
    elif question.type in (QuestionType.TRUE_FALSE, QuestionType.FILL):
        key["answer"] = [list(a) if isinstance(a, list) else a for a in question.answer]
    else:
        key["reference"] = question.reference
    return key


@transaction.atomic
def regrade(*, actor, exam: Exam, question: Question, reason: str) -> int:
    """After a question's key was fixed in the bank, mark every finished attempt of the exam that
    showed it again with the new key (the text as shown stays). Audited; the points follow as a
    reversal and a new award (``result_changed``). Answers how many attempts changed score."""
    exam = Exam.objects.visible_to(actor, "change").select_for_update(of=("self",)).get(pk=exam.pk)
    if not reason.strip():
        raise ValidationError({"reason": "请填写重新评分的原因。"})
    if question.type == QuestionType.SHORT:
        raise ValidationError("简答题由阅卷人评分，不能自动重新评分。")
    attempt_ids = list(
        AttemptItem.objects.filter(attempt__exam=exam, attempt__status__in=DONE_STATUSES, question=question)
        .values_list("attempt_id", flat=True)
        .distinct()
    )
    changed = 0
    for attempt in (
        Attempt.objects.select_for_update(of=("self",)).select_related("exam").filter(pk__in=attempt_ids).order_by("pk")
    ):
        items = list(attempt.items.all())
        for item in items:
            if item.question_id == question.pk:
                item.key = _key_now(question, item)
        before = attempt.score
        _grade_items(attempt, items)
        AttemptItem.objects.bulk_update(items, ["key", "score", "correct"])
        attempt.graded_version += 1
        attempt.save(update_fields=["score", "ungraded", "passed", "graded_version"])
        if attempt.score != before:
            changed += 1
        _result_changed(exam.pk, attempt.person_id)
    exam.results_version += 1
    exam.save(update_fields=["results_version", "updated_at"])
    audit_record(
        action=Action.EXAM_REGRADE,
        actor=actor,
        target=exam,
        changes={
            "试题": [None, question.text[:60]],
            "答卷": [None, len(attempt_ids)],
            "得分改变": [None, changed],
            "reason": [None, reason],
        },
    )
    return changed


# --- the result a person's points follow ------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """What the points follow for one person and exam: the counted attempt and its result word."""

    attempt: Attempt | None
    result: str  # "满分" / "及格" / "" (no points)

    @property
    def version(self) -> int:
        """A number that changes whenever the counted attempt or its marking does."""
        if self.attempt is None:
            return 0
        return self.attempt.pk * 100 + self.attempt.graded_version % 100


def result_of(exam: Exam, person_id: int) -> Result:
    attempt = Attempt.objects.counted(exam).filter(person_id=person_id).select_related("person").first()
    if attempt is None or attempt.ungraded or exam.status == ExamStatus.CANCELLED:
        return Result(attempt if attempt and not attempt.ungraded else None, "")
    if attempt.score is not None and attempt.score >= attempt.max_score > 0:
        return Result(attempt, "满分")
    return Result(attempt, "及格" if attempt.passed else "")


def note_mistakes(exam_id: int, person_id: int) -> int:
    """Put the wrong answers of the person's finished attempts at the exam in their 错题本, once
    per attempt (a task may run twice); not short answers (practice has none to retry them with).
    Answers how many attempts were noted."""
    now = timezone.now()
    noted = 0
    for attempt in Attempt.objects.filter(exam_id=exam_id, person_id=person_id, status__in=DONE_STATUSES, mistakes_noted=False):
        with transaction.atomic():
            if not Attempt.objects.filter(pk=attempt.pk, mistakes_noted=False).update(mistakes_noted=True):
                continue
            wrong = attempt.items.filter(question__isnull=False, correct=False).exclude(shown__type=QuestionType.SHORT)
            for item in wrong.only("question_id", "correct"):
                _mistake(person_id, item.question_id, False, now, practice=False)
            noted += 1
    return noted


def _mistake(person_id: int, question_id: int | None, correct: bool | None, now, *, practice: bool) -> None:
    if question_id is None or correct is None:
        return
    if correct:
        if practice:
            Mistake.objects.filter(person_id=person_id, question_id=question_id).update(cleared=True)
        return
    made = Mistake.objects.filter(person_id=person_id, question_id=question_id).update(
        times=F("times") + 1, last_wrong_at=now, cleared=False
    )
    if not made:
        try:
            with transaction.atomic():
                Mistake.objects.create(person_id=person_id, question_id=question_id, last_wrong_at=now)
        except IntegrityError:
            pass  # made meanwhile by another answer


# --- practice ----------------------------------------------------------------------------------


def practice_banks(user):
    return Bank.objects.visible_to(user, "practice")


@transaction.atomic
def practice_start(
    *, user, bank: Bank | None = None, category: Category | None = None, count: int = 10, mistakes: bool = False
) -> Attempt:
    """A practice round (练习): ``count`` questions drawn from a bank open for practice (the
    person's least-seen first), or from their 错题本. Untimed; each answer is marked at once."""
    import random
    import secrets

    person = Person.objects.filter(pk=user.person_id).first() if user.person_id else None
    if person is None:
        raise PermissionDenied("您的账号没有关联人员信息，不能练习。")
    if not 1 <= count <= PRACTICE_MAX:
        raise ValidationError({"count": f"每次练习 1 到 {PRACTICE_MAX} 题。"})
    if mistakes:
        ids = list(
            Mistake.objects.filter(person=person, cleared=False, question__is_active=True)
            .order_by("-times", "-last_wrong_at")
            .values_list("question_id", flat=True)[:count]
        )
        if not ids:
            raise ValidationError("错题本里没有待练习的题目。")
    else:
        if bank is None or not practice_banks(user).filter(pk=bank.pk).exists():
            raise ValidationError({"bank": "请选择开放练习的题库。"})
        rows = Question.objects.active().filter(bank=bank).exclude(type=QuestionType.SHORT)
        if category is not None:
            rows = rows.filter(category=category)
        ids = list(rows.values_list("pk", flat=True))
        if not ids:
            raise ValidationError("该题库（分类）中还没有可练习的题目。")
        seen = draw.seen_counts(person.pk)
        rng = random.Random(secrets.randbits(64))
        ids.sort(key=lambda pk: (seen[pk], rng.random()))
        ids = ids[:count]
    questions = Question.objects.in_bulk(ids)
    items = draw.practice_items([questions[pk] for pk in ids])
    attempt = Attempt.objects.create(
        bank=bank, person=person, unit_id=person.unit_id, user=user, max_score=Decimal(len(items)), deadline=None
    )
    for item in items:
        item.attempt = attempt
    AttemptItem.objects.bulk_create(items)
    return attempt


@transaction.atomic
def practice_answer(*, user, attempt: Attempt, position: int, response) -> AttemptItem:
    """Mark one practice answer at once (the page then shows right or wrong and the 解析)."""
    attempt = _locked(attempt)
    _own(user, attempt)
    if not attempt.is_practice:
        raise ValidationError("考试答卷交卷后才评分。")
    if not attempt.is_active:
        raise ValidationError("本次练习已结束。")
    cleaned = _responses(attempt, [(position, response)])[0][position]
    item = attempt.items.get(position=position)
    if item.response is not None and item.score is not None:
        raise ValidationError(f"第 {position} 题已作答。")
    item.response = cleaned
    result = grading.grade(item.shown["type"], item.key, cleaned, item.points)
    item.score, item.correct, item.answered_at = result.score, result.correct, timezone.now()
    item.save(update_fields=["response", "score", "correct", "answered_at"])
    _mistake(attempt.person_id, item.question_id, item.correct, item.answered_at, practice=True)
    return item


@transaction.atomic
def practice_finish(*, user, attempt: Attempt) -> Attempt:
    attempt = _locked(attempt)
    _own(user, attempt)
    if not attempt.is_practice:
        raise ValidationError("这不是练习。")
    if attempt.is_active:
        items = list(attempt.items.all())
        _total(attempt, items)
        attempt.status = AttemptStatus.SUBMITTED
        attempt.submitted_at = timezone.now()
        attempt.save(update_fields=["status", "submitted_at", "score", "ungraded", "passed"])
    return attempt


def mistake_clear(*, user, mistake: Mistake) -> None:
    if mistake.person_id != user.person_id:
        raise PermissionDenied("这不是您的错题。")
    Mistake.objects.filter(pk=mistake.pk).update(cleared=True)
