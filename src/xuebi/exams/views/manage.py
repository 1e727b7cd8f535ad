"""The organiser's pages: the exams they run or follow, an exam's settings (new, change, publish,
withdraw), its page with the figures so far, the marking of short answers (阅卷) and the regrade
after a question was corrected. Writes only through ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuebi.core.forms import db_id, run_service
from xuebi.org.choices import ADMIN_ROLES
from xuebi.org.permissions import get_visible_or_404, require_role

from .. import selectors, services
from ..forms import ExamForm, GradeForm, OpenNowForm, ReasonForm, RegradeForm
from ..models import DONE_STATUSES, Attempt, AttemptItem, AttemptStatus, Exam


def _run(form, call):
    return run_service(form, call, refusal_on_form=True)


def _can_change(user, exam: Exam) -> bool:
    return Exam.objects.visible_to(user, "change").filter(pk=exam.pk).exists()


@login_required
def manage_list(request):
    require_role(request, *ADMIN_ROLES)
    exams = selectors.exam_admin_list(request.user).annotate(
        taken=Count("attempts", filter=Q(attempts__status__in=DONE_STATUSES), distinct=True)
    )[:200]
    return render(request, "exams/manage/list.html", {"exams": exams, "now": timezone.now()})


@login_required
def exam_create(request):
    require_role(request, *ADMIN_ROLES)
    form = ExamForm(request.POST or None, user=request.user, initial={"paper": db_id(request.GET.get("paper"))})
    if request.method == "POST" and form.is_valid():
        exam = _run(form, lambda: services.exam_save(actor=request.user, data=form.data_for_service()))
        if exam is not None:
            messages.success(request, "已保存。检查无误后请发布。")
            return redirect("exams:exam_admin", pk=exam.pk)
    return render(request, "core/form_page.html", {"form": form, "title": "新建考试", "back": reverse("exams:manage_list")})


@login_required
def exam_edit(request, pk: int):
    require_role(request, *ADMIN_ROLES)
    exam = get_visible_or_404(Exam, request.user, pk, "change")
    form = ExamForm(request.POST or None, instance=exam, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = _run(form, lambda: services.exam_save(actor=request.user, data=form.data_for_service(), exam=exam))
        if saved is not None:
            messages.success(request, "已保存。")
            return redirect("exams:exam_admin", pk=exam.pk)
    back = reverse("exams:exam_admin", args=[exam.pk])
    return render(request, "core/form_page.html", {"form": form, "title": f"修改考试：{exam.title}", "back": back})


@login_required
def exam_admin(request, pk: int):
    require_role(request, *ADMIN_ROLES)
    exam = get_visible_or_404(Exam, request.user, pk)
    visible = Attempt.objects.visible_to(request.user).filter(exam=exam)
    figures = visible.aggregate(
        active=Count("pk", filter=Q(status=AttemptStatus.ACTIVE)),
        done=Count("pk", filter=Q(status__in=DONE_STATUSES)),
        people=Count("person", filter=Q(status__in=DONE_STATUSES), distinct=True),
        waiting=Count("pk", filter=Q(status__in=DONE_STATUSES, ungraded__gt=0)),
    )
    can_change = _can_change(request.user, exam)
    return render(
        request,
        "exams/manage/exam.html",
        {
            "exam": exam,
            "figures": figures,
            "can_change": can_change,
            "units": exam.units.order_by("path"),
            "people": exam.people.select_related("unit").order_by("unit__path", "name"),
            "max_score": services.max_score(exam.paper),
            "cancel_form": ReasonForm() if can_change and exam.status != "cancelled" else None,
            "open_form": OpenNowForm() if can_change and exam.kind == "onsite" and exam.status != "cancelled" else None,
            "can_take": Exam.objects.visible_to(request.user, "take").filter(pk=exam.pk).exists(),
        },
    )


def _step(request, exam: Exam, call, done: str, form=None, invalid: str = ""):
    """One POST step of the exam's page: run the service, tell what happened (or why not), go back."""
    if form is not None and not form.is_valid():
        messages.error(request, invalid)
    else:
        try:
            result = call()
            messages.success(request, done(result) if callable(done) else done)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    return redirect("exams:exam_admin", pk=exam.pk)


@login_required
@require_POST
def exam_publish(request, pk: int):
    require_role(request, *ADMIN_ROLES)
    exam = get_visible_or_404(Exam, request.user, pk, "change")
    call = lambda: services.exam_publish(actor=request.user, exam=exam)  # noqa: E731
    return _step(request, exam, call, "考试已发布，参考人员在“我的考试”中可以看到。")


@login_required
@require_POST
def exam_cancel(request, pk: int):
    require_role(request, *ADMIN_ROLES)
    exam = get_visible_or_404(Exam, request.user, pk, "change")
    form = ReasonForm(request.POST)
    call = lambda: services.exam_cancel(actor=request.user, exam=exam, reason=form.cleaned_data["reason"])  # noqa: E731
    return _step(request, exam, call, "考试已撤销，已给的积分已冲销。", form, "请填写撤销原因。")


@login_required
@require_POST
def exam_open_now(request, pk: int):
    require_role(request, *ADMIN_ROLES)
    exam = get_visible_or_404(Exam, request.user, pk, "change")
    form = OpenNowForm(request.POST)
    call = lambda: services.exam_open_now(actor=request.user, exam=exam, minutes=form.cleaned_data["minutes"])  # noqa: E731

    def done(opened):
        return f"已开考，{timezone.localtime(opened.closes_at):%H:%M} 结束。请考生在手机上进入“我的考试”作答。"

    return _step(request, exam, call, done, form, "考试时长应在 5 到 600 分钟之间。")


# --- marking and regrading ---------------------------------------------------------------------------


@login_required
def grading(request, pk: int):
    require_role(request, *ADMIN_ROLES)
    exam = get_visible_or_404(Exam, request.user, pk, "change")
    rows = list(services.grading_queue(request.user, exam)[:50])
    for item in rows:
        item.form = GradeForm(prefix=f"i{item.pk}")
    return render(request, "exams/manage/grading.html", {"exam": exam, "rows": rows})


@login_required
@require_POST
def grade(request, pk: int):
    require_role(request, *ADMIN_ROLES)
    item = (
        AttemptItem.objects.filter(pk=pk, attempt__in=Attempt.objects.visible_to(request.user)).select_related("attempt").first()
    )
    if item is None or item.attempt.exam_id is None:
        from django.http import Http404

        raise Http404("答卷不存在。")
    exam = get_visible_or_404(Exam, request.user, item.attempt.exam_id, "change")
    form = GradeForm(request.POST, prefix=f"i{item.pk}")
    if form.is_valid():
        try:
            services.grade_item(
                actor=request.user, item=item, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
            )
            messages.success(request, f"已评分：第 {item.position} 题 {form.cleaned_data['score']} 分。")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, "请填写得分（数字）。")
    return redirect("exams:grading", pk=exam.pk)


@login_required
def regrade(request, pk: int):
    require_role(request, *ADMIN_ROLES)
    exam = get_visible_or_404(Exam, request.user, pk, "change")
    form = RegradeForm(request.POST or None, exam=exam)
    if request.method == "POST" and form.is_valid():
        question = form.questions[form.cleaned_data["question"]]
        changed = _run(
            form, lambda: services.regrade(actor=request.user, exam=exam, question=question, reason=form.cleaned_data["reason"])
        )
        if changed is not None:
            messages.success(request, f"已按更正后的答案重新评分，{changed} 份答卷得分改变，积分随之调整。")
            return redirect("exams:exam_admin", pk=exam.pk)
    back = reverse("exams:exam_admin", args=[exam.pk])
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": f"重新评分：{exam.title}",
            "back": back,
            "intro": "先在题库中更正试题的答案，再在这里选择该题重新评分：已交的答卷按更正后的答案重新计分（题干和选项保持答题时的样子），积分先冲销再按新成绩给。",
        },
    )


urlpatterns = [
    path("manage/", manage_list, name="manage_list"),
    path("manage/new/", exam_create, name="exam_create"),
    path("manage/<int:pk>/", exam_admin, name="exam_admin"),
    path("manage/<int:pk>/edit/", exam_edit, name="exam_edit"),
    path("manage/<int:pk>/publish/", exam_publish, name="exam_publish"),
    path("manage/<int:pk>/cancel/", exam_cancel, name="exam_cancel"),
    path("manage/<int:pk>/open-now/", exam_open_now, name="exam_open_now"),
    path("manage/<int:pk>/grading/", grading, name="grading"),
    path("manage/grading/<int:pk>/", grade, name="grade"),
    path("manage/<int:pk>/regrade/", regrade, name="regrade"),
]
