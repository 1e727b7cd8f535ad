"""The judge's pages: their assignments, and the scoring page of one entry (a phone's screen:
one field per criterion, 暂存 and 提交). What a judge sees of an entry is its blind face
(``selectors.judge_view``): in a blind contest no author, unit or file name."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from xuebi.org.choices import Role
from xuebi.org.permissions import require_role

from ..models import Assignment, AssignmentStatus
from ..selectors import contests as selectors
from ..services import judging as services


def _assignment(request, pk) -> Assignment:
    require_role(request, Role.JUDGE)
    try:
        return Assignment.objects.visible_to(request.user).filter(judge=request.user).select_related("entry__contest").get(pk=pk)
    except (Assignment.DoesNotExist, ValueError):
        raise Http404("找不到该评审任务，或您无权访问。") from None


@login_required
def judging_home(request):
    require_role(request, Role.JUDGE)
    rows = list(selectors.my_assignments(request.user))
    contests: dict = {}
    for row in rows:
        contests.setdefault(row.entry.contest, []).append(row)
    return render(request, "contests/judging_home.html", {"contests": contests.items()})


@login_required
def assignment_score(request, pk):
    assignment = _assignment(request, pk)
    contest = assignment.entry.contest
    criteria = list(contest.criteria.all())
    errors: list[str] = []
    if request.method == "POST":
        values = {c.pk: request.POST.get(f"c{c.pk}", "") for c in criteria}
        submit = request.POST.get("action") == "submit"
        try:
            services.score_save(
                actor=request.user, assignment=assignment, values=values, comment=request.POST.get("comment", ""), submit=submit
            )
        except (ValidationError, PermissionDenied) as exc:
            errors = list(getattr(exc, "messages", [str(exc)]))
        else:
            if submit:
                messages.success(request, f"已提交作品 {assignment.entry.code} 的评分。")
                following = (
                    selectors.my_assignments(request.user)
                    .filter(entry__contest=contest, stage=assignment.stage)
                    .exclude(status=AssignmentStatus.SUBMITTED)
                    .first()
                )
                return redirect("contests:assignment_score", following.pk) if following else redirect("contests:judging_home")
            messages.success(request, "已暂存，提交前可以继续修改。")
            return redirect("contests:assignment_score", assignment.pk)
    view = selectors.judge_view(assignment)
    typed = request.POST if request.method == "POST" else {}
    rows = [(c, typed.get(f"c{c.pk}", view.scores.get(c.pk, ""))) for c in criteria]
    siblings = list(
        selectors.my_assignments(request.user).filter(entry__contest=contest, stage=assignment.stage).values_list("pk", "status")
    )
    return render(
        request,
        "contests/score.html",
        {
            "view": view,
            "assignment": assignment,
            "contest": contest,
            "rows": rows,
            "errors": errors,
            "comment": typed.get("comment", assignment.comment),
            "locked": assignment.status == AssignmentStatus.SUBMITTED,
            "open": contest.in_review(),
            "done": sum(1 for _pk, status in siblings if status == AssignmentStatus.SUBMITTED),
            "total": len(siblings),
            "maximum": sum(c.max_score * c.weight for c in criteria),
        },
    )


@login_required
def assignment_file(request, pk, index):
    assignment = _assignment(request, pk)
    row = selectors.judge_file(assignment, index)
    if row is None:
        raise Http404("没有这个文件。")
    return FileResponse(row.file.open("rb"), as_attachment=True, filename=row.blind_name(assignment.entry.code))
