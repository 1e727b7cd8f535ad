"""The results pages (成绩): per unit and per person, the item statistics (试题分析), the leaderboard
(排行榜), the live monitor of an on-site session (现场考评) and the .xlsx exports. Reads only,
through ``results``; the exports are audited."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.core import sheets, xlsx
from xuebi.org.choices import ADMIN_ROLES
from xuebi.org.permissions import get_visible_or_404, require_role

from .. import results
from ..models import Attempt, Exam


def _exam_for_admin(request, pk: int) -> Exam:
    require_role(request, *ADMIN_ROLES)
    return get_visible_or_404(Exam, request.user, pk)


@login_required
def results_page(request, pk: int):
    exam = _exam_for_admin(request, pk)
    attempts = results.attempt_rows(exam, request.user)
    units = results.unit_rows(exam, request.user, attempts)
    chart = {"labels": units["band_labels"], "counts": units["total"]["bands"]}
    return render(
        request,
        "exams/results/results.html",
        {"exam": exam, "attempts": attempts, "units": units["units"], "total": units["total"], "chart": chart},
    )


@login_required
def statistics_page(request, pk: int):
    exam = _exam_for_admin(request, pk)
    return render(request, "exams/results/statistics.html", {"exam": exam, "stats": results.item_statistics(exam, request.user)})


@login_required
def leaderboard_page(request, pk: int):
    if not (results.is_admin(request.user) or getattr(request.user, "person_id", None)):
        raise PermissionDenied("您的角色无权访问此页面。")
    exam = results.leaderboard_exams(request.user).filter(pk=pk).first()
    if exam is None:
        raise Http404("找不到该对象，或您无权访问。")
    rows = results.leaderboard(exam, request.user)
    return render(
        request,
        "exams/results/leaderboard.html",
        {"exam": exam, "rows": rows, "admin": results.is_admin(request.user), "me": getattr(request.user, "person_id", None)},
    )


@login_required
def live_page(request, pk: int):
    exam = _exam_for_admin(request, pk)
    return render(request, "exams/results/live.html", {"exam": exam, "live": results.live_figures(exam, request.user)})


@login_required
def live_json(request, pk: int):
    exam = _exam_for_admin(request, pk)
    return JsonResponse(results.live_figures(exam, request.user), json_dumps_params={"ensure_ascii": False})


@login_required
def attempt_review(request, pk: int):
    require_role(request, *ADMIN_ROLES)
    attempt = get_visible_or_404(Attempt, request.user, pk)
    refusal = results.review_refusal(attempt, request.user)
    if refusal:
        raise PermissionDenied(refusal)
    attempt = Attempt.objects.select_related("person", "unit", "exam").get(pk=attempt.pk)
    return render(request, "exams/results/review.html", {"attempt": attempt, "review": results.review(attempt)})


def _pct(value) -> float | str:
    return "—" if value is None else value


@login_required
def results_export(request, pk: int):
    exam = _exam_for_admin(request, pk)
    attempts = results.attempt_rows(exam, request.user)
    units = results.unit_rows(exam, request.user, attempts)
    wb = sheets.new_workbook()
    today = timezone.localdate()
    sheets.table_sheet(
        wb,
        "各单位",
        title=f"{exam.title} 成绩统计",
        subtitle=sheets.drawn_up(today),
        header=["单位", "应考人数", "参考人数", "参考率（%）", "平均分", "及格率（%）", *units["band_labels"]],
        rows=(
            [r["name"], r["eligible"], r["took"], _pct(r["participation"]), _pct(r["average"]), _pct(r["pass_rate"]), *r["bands"]]
            for r in [*units["units"], units["total"]]
        ),
        widths=[24, 10, 10, 10, 10, 10, *([9] * results.BANDS)],
        landscape=True,
    )
    sheets.table_sheet(
        wb,
        "成绩",
        title=f"{exam.title} 成绩",
        subtitle=sheets.drawn_up(today),
        header=["姓名", "单位", "得分", "满分", "是否及格", "用时", "答题次数", "交卷时间", "待阅题数"],
        rows=(
            [
                a["person"],
                a["unit"],
                a["score"],
                a["max_score"],
                "及格" if a["passed"] else ("不及格" if a["passed"] is False else "—"),
                a["duration_label"],
                a["used"],
                timezone.localtime(a["submitted_at"]).strftime("%Y-%m-%d %H:%M") if a["submitted_at"] else "",
                a["ungraded"],
            ]
            for a in attempts
        ),
        widths=[12, 24, 8, 8, 10, 12, 10, 18, 10],
        landscape=True,
    )
    audit_record(action=Action.EXAM_RESULTS_EXPORT, target=exam, changes={"成绩行数": [0, len(attempts)]})
    return xlsx.download(sheets.workbook_bytes(wb), f"{exam.title}成绩.xlsx")


@login_required
def statistics_export(request, pk: int):
    exam = _exam_for_admin(request, pk)
    data = results.item_statistics(exam, request.user)
    wb = sheets.new_workbook()
    alpha = "—" if data["alpha"] is None else data["alpha"]
    sheets.table_sheet(
        wb,
        "试题分析",
        title=f"{exam.title} 试题分析",
        subtitle=f"统计答卷 {data['attempts']} 份 · 信度系数（α）{alpha} · {sheets.drawn_up(timezone.localdate())}",
        header=[
            "题号",
            "题干",
            "题型",
            "分值",
            "作答人数",
            "得分率（%）",
            "标准差（%）",
            "区分度（%）",
            "区分效率（%）",
            "最多人选的错误选项",
        ],
        rows=(
            [
                q["number"],
                q["text"],
                q["type_label"],
                q["points"],
                q["answered"],
                _pct(q["facility"]),
                _pct(q["sd"]),
                _pct(q["discrimination"]),
                _pct(q["efficiency"]),
                q["wrong_option"] or "—",
            ]
            for q in data["questions"]
        ),
        widths=[6, 40, 8, 6, 8, 10, 10, 10, 10, 24],
        landscape=True,
    )
    audit_record(action=Action.EXAM_RESULTS_EXPORT, target=exam, changes={"试题分析行数": [0, len(data["questions"])]})
    return xlsx.download(sheets.workbook_bytes(wb), f"{exam.title}试题分析.xlsx")


urlpatterns = [
    path("<int:pk>/results/", results_page, name="results"),
    path("<int:pk>/results/export/", results_export, name="results_export"),
    path("<int:pk>/statistics/", statistics_page, name="statistics"),
    path("<int:pk>/statistics/export/", statistics_export, name="statistics_export"),
    path("<int:pk>/leaderboard/", leaderboard_page, name="leaderboard"),
    path("<int:pk>/live/", live_page, name="live"),
    path("<int:pk>/live/data/", live_json, name="live_json"),
    path("attempts/<int:pk>/review/", attempt_review, name="attempt_review"),
]
