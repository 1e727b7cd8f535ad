"""Reads of contests, entries and judging that know the user; the judge's blind face of an entry."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from ..models import Assignment, AssignmentStatus, Award, Contest, ContestStatus, Entry, EntryStatus, Score

__all__ = [
    "label_units",
    "contests_for",
    "is_organizer",
    "entries_for",
    "my_assignments",
    "JudgeView",
    "judge_view",
    "published_results",
]


def label_units(entries) -> list:
    """Give each entry ``unit_label`` — “阿巴嘎旗委组织部 / 组织股”, not a bare “组织股” of which a
    league has fourteen — reading the units once."""
    from xuebi.org.widgets import UnitNames

    names = UnitNames()
    entries = list(entries)
    for entry in entries:
        entry.unit_label = names.label(entry.unit.path)
    return entries


def is_organizer(user, contest: Contest) -> bool:
    return Contest.objects.visible_to(user, "change").filter(pk=contest.pk).exists()


def contests_for(user):
    """The contests a user sees, with what concerns them: their entries, their judging."""
    rows = Contest.objects.visible_to(user).select_related("organizer")
    mine = Q(entries__in=Entry.objects.visible_to(user).filter(status=EntryStatus.SUBMITTED))
    return rows.annotate(
        my_entries=Count("entries", filter=mine, distinct=True),
    ).order_by("-entry_start", "-pk")


def entries_for(user, contest: Contest):
    """The contest's entries the user may see (organiser: all; unit admin: their subtree's; an
    author: their own), with authors and the current version's files."""
    return (
        Entry.objects.visible_to(user)
        .filter(contest=contest)
        .select_related("unit", "submitted_by")
        .prefetch_related("author_rows__person")
        .order_by("status", "code")
    )


def my_assignments(user):
    """A judge's assignments, contest by contest, scoring ones first."""
    return (
        Assignment.objects.visible_to(user)
        .filter(judge=user, entry__status=EntryStatus.SUBMITTED)
        .exclude(entry__contest__status=ContestStatus.DRAFT)
        .select_related("entry__contest")
        .order_by("-entry__contest__review_start", "entry__contest_id", "stage", "entry__live_order", "entry__code")
    )


@dataclass
class JudgeView:
    """What a judge sees of an entry: in a blind contest the code, title, text and the files under
    their blind names — no author, unit, submitter, date or original file name."""

    assignment: Assignment
    code: str
    title: str
    text: str
    files: list[tuple[int, str, int]]  # (index, blind name, size)
    blind: bool
    authors: list[str] = field(default_factory=list)
    unit: str = ""
    scores: dict = field(default_factory=dict)  # criterion id → value


def judge_view(assignment: Assignment) -> JudgeView:
    entry = assignment.entry
    contest = entry.contest
    version = entry.versions.order_by("-number").prefetch_related("files").first()
    files = [(i, f.blind_name(entry.code), f.size) for i, f in enumerate(version.files.all())] if version else []
    view = JudgeView(
        assignment=assignment,
        code=entry.code,
        title=entry.title,
        text=entry.text,
        files=files,
        blind=contest.blind,
        scores=dict(Score.objects.filter(assignment=assignment).values_list("criterion_id", "value")),
    )
    if not contest.blind:
        view.authors = [row.person.name for row in entry.author_rows.select_related("person")]
        view.unit = label_units([entry])[0].unit_label
    return view


def judge_file(assignment: Assignment, index: int):
    """The entry's current file number ``index`` (as the judge's list numbers them), or None."""
    version = assignment.entry.versions.order_by("-number").first()
    files = list(version.files.all()) if version else []
    return files[index] if 0 <= index < len(files) else None


def published_results(contest: Contest):
    """The published results, best first — what everyone who sees the contest sees once it is
    published (nothing before)."""
    if contest.status != ContestStatus.PUBLISHED:
        return Award.objects.none()
    return (
        Award.objects.filter(contest=contest)
        .select_related("entry__unit")
        .prefetch_related("entry__author_rows__person")
        .order_by("place", "entry__code")
    )


def judging_progress(contest: Contest) -> dict:
    """{stage: (submitted, all)} of the contest's assignments."""
    made = {}
    for stage, done, total in (
        Assignment.objects.filter(entry__contest=contest, entry__status=EntryStatus.SUBMITTED)
        .values("stage")
        .annotate(done=Count("pk", filter=Q(status=AssignmentStatus.SUBMITTED)), total=Count("pk"))
        .values_list("stage", "done", "total")
    ):
        made[stage] = (done, total)
    return made


def certificates_job(contest: Contest):
    """The latest certificates job of the contest (its page has the PDF of them all), or None."""
    from xuebi.jobs.models import Job

    from ..tasks import CERTIFICATES

    return Job.objects.filter(kind=CERTIFICATES, params__contest=contest.pk).order_by("-pk").first()
