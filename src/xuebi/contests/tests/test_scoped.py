"""Every contest page and API endpoint, for every role (xuebi.testing.scoped): a contest is read by
every business role once published and changed by the organiser's league admins; an entry by its
author, its unit's admins and the organiser — never by a judge; an assignment by its judge alone."""

from xuebi.contests.models import Assignment, Award, Certificate, Contest, Entry
from xuebi.contests.services import contests as setup_services
from xuebi.contests.services import entries, judging
from xuebi.testing.scoped import NO_BUSINESS_ROLE, ROLES, Case, scoped_suite

from .conftest import make_contest, to_review

ORGANIZER_ONLY = NO_BUSINESS_ROLE | {"cadre", "judge", "abag_reviewer", "abag_admin", "xilin_admin"}
ENTRANTS_ONLY = NO_BUSINESS_ROLE | {"judge", "abag_reviewer"}
JUDGE_ONLY = frozenset(ROLES) - {"judge"}


def setup(ns):
    users, org = ns.users, ns.org
    ns.request.getfixturevalue("campaign")  # a results notice is issued within a campaign
    # an open contest taking entries, with 巴依斯古楞's entry and its file
    ns.contest = make_contest(users, live=True, title="演讲比赛（征集中）")
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("巴依斯古楞的讲稿.pdf", _pdf(), content_type="application/pdf")
    ns.entry = entries.entry_submit(
        actor=users.cadre, contest=ns.contest, title="青春在草原", text="讲稿", authors=[org.bayi], files=[pdf]
    )
    ns.entry.first_file_pk = ns.entry.versions.get().files.get().pk
    # a contest in review, the fixture's judge scoring one entry (pending) and having submitted another
    ns.review = make_contest(users, title="调研文章评比（评审中）")
    setup_services.panels_save(
        actor=users.league_admin, contest=ns.review, panels=[{"name": "评审组", "is_final": False, "judges": [users.judge]}]
    )
    first = entries.entry_submit(actor=users.cadre, contest=ns.review, title="调研一", text="一", authors=[org.bayi])
    second = entries.entry_submit(
        actor=users.xilin_admin,
        contest=ns.review,
        title="调研二",
        text="二",
        authors=[org.xilin_person],
        files=[SimpleUploadedFile("巴图.pdf", _pdf(), content_type="application/pdf")],
    )
    to_review(ns.review)
    ns.pending = Assignment.objects.create(entry=first, judge=users.judge)
    ns.submitted = Assignment.objects.create(entry=second, judge=users.judge)
    values = {c.pk: c.max_score for c in ns.review.criteria.all()}
    judging.score_save(actor=users.judge, assignment=ns.submitted, values=values, submit=True)
    # a published contest with 巴依斯古楞's award and certificate
    ns.published = make_contest(users, title="已公布的评比")
    won = entries.entry_submit(actor=users.cadre, contest=ns.published, title="获奖作品", text="正文", authors=[org.bayi])
    Contest.objects.filter(pk=ns.published.pk).update(status="published")
    award = Award.objects.create(contest=ns.published, entry=won, place=1, score=90, level="一等奖", detail={"shown": "90.00"})
    from django.core.files.base import ContentFile

    cert = Certificate(award=award, person=org.bayi, number="2026001-001")
    cert.pdf.save("c.pdf", ContentFile(_pdf()), save=True)
    won.cert_pk = cert.pk
    ns.won = won
    # a draft, only its organisers see
    from .conftest import make_contest as _make  # noqa: F401

    ns.draft = setup_services.contest_save(
        actor=users.league_admin,
        values={**{k: getattr(ns.contest, k) for k in setup_services.CONTEST_FIELDS}, "title": "筹备中的评比"},
        criteria=setup_services.parse_criteria("内容 100"),
        levels=setup_services.parse_levels("一等奖 1 0", "count"),
    )


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": "巴依斯古楞", "/Title": "阿巴嘎旗委组织部"})
    import io

    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def contest(ns):
    return ns.contest


def entry(ns):
    return ns.entry


def pending(ns):
    return ns.pending


CASES = [
    Case("contests:contest_list", model=Contest, obj=contest, shows=lambda c: c.title, refused=NO_BUSINESS_ROLE),
    Case(
        "contests:contest_list",
        model=Contest,
        obj=lambda ns: ns.draft,
        shows=lambda c: c.title,
        refused=NO_BUSINESS_ROLE,
        id="contests:contest_list[draft]",
    ),
    Case("contests:contest_detail", model=Contest, obj=contest, refused=NO_BUSINESS_ROLE),
    Case(
        "contests:contest_detail",
        model=Contest,
        obj=lambda ns: ns.draft,
        refused=NO_BUSINESS_ROLE,
        id="contests:contest_detail[draft]",
    ),
    Case("contests:contest_edit", model=Contest, obj=contest, action="change", refused=ORGANIZER_ONLY),
    Case("contests:contest_panels", model=Contest, obj=contest, action="change", refused=ORGANIZER_ONLY),
    Case("contests:contest_assignments", model=Contest, obj=contest, action="change", refused=ORGANIZER_ONLY),
    Case("contests:contest_results", model=Contest, obj=lambda ns: ns.review, action="change", refused=ORGANIZER_ONLY),
    Case("contests:contest_screen", model=Contest, obj=contest, action="change", refused=ORGANIZER_ONLY),
    Case(
        "contests:contest_create",
        model=Contest,
        obj=contest,
        action="change",
        refused=ORGANIZER_ONLY,
        id="contests:contest_create",
    ),
    Case("contests:entry_create", model=Contest, obj=contest, refused=NO_BUSINESS_ROLE | {"judge", "abag_reviewer"}),
    Case("contests:entry_detail", model=Entry, obj=entry, refused=ENTRANTS_ONLY),
    Case("contests:entry_edit", model=Entry, obj=entry, action="change", refused=ENTRANTS_ONLY),
    Case(
        "/contests/entries/{pk}/files/{obj.first_file_pk}/",
        model=Entry,
        obj=entry,
        refused=ENTRANTS_ONLY,
        id="contests:entry_file",
    ),
    Case("contests:judging_home", model=Assignment, obj=pending, shows=lambda a: a.entry.code, refused=JUDGE_ONLY),
    Case("contests:assignment_score", model=Assignment, obj=pending, refused=JUDGE_ONLY),
    Case(
        "/contests/judging/{pk}/files/0/",
        model=Assignment,
        obj=lambda ns: ns.submitted,
        refused=JUDGE_ONLY,
        id="contests:assignment_file",
    ),
    Case(
        "/contests/certificates/{obj.cert_pk}/",
        model=Entry,
        obj=lambda ns: ns.won,
        refused=ENTRANTS_ONLY,
        id="contests:certificate_file",
    ),
    Case("/api/v1/contests", model=Contest, obj=contest, api=True, shows=lambda c: c.title, refused=NO_BUSINESS_ROLE),
    Case("/api/v1/contests/{pk}", model=Contest, obj=contest, api=True, refused=NO_BUSINESS_ROLE),
    Case(
        "/api/v1/contests/{pk}",
        model=Contest,
        obj=lambda ns: ns.draft,
        api=True,
        refused=NO_BUSINESS_ROLE,
        id="api:contest[draft]",
    ),
    Case("/api/v1/contests/{pk}/results", model=Contest, obj=lambda ns: ns.review, api=True, refused=NO_BUSINESS_ROLE),
    Case(
        "/api/v1/contests/{pk}/assignments",
        model=Contest,
        obj=lambda ns: ns.review,
        api=True,
        action="change",
        refused=ORGANIZER_ONLY,
    ),
    Case("/api/v1/contests/{pk}/screen", model=Contest, obj=contest, api=True, action="change", refused=ORGANIZER_ONLY),
    Case(
        "/api/v1/contests/{obj.contest_id}/entries",
        model=Entry,
        obj=entry,
        api=True,
        shows=lambda e: e.title,
        refused=ENTRANTS_ONLY,
    ),
    Case("/api/v1/contests/entries/{pk}", model=Entry, obj=entry, api=True, refused=ENTRANTS_ONLY),
    Case("/api/v1/contests/judging", model=Assignment, obj=pending, api=True, shows=lambda a: a.entry.code, refused=JUDGE_ONLY),
    Case("/api/v1/contests/judging/{pk}", model=Assignment, obj=pending, api=True, refused=JUDGE_ONLY),
    Case(
        "/api/v1/contests/judging/{pk}/files/0",
        model=Assignment,
        obj=lambda ns: ns.submitted,
        api=True,
        refused=JUDGE_ONLY,
        hidden=404,
    ),
]


def _score(ns, pk):
    return {"scores": [{"criterion_id": c.pk, "value": "50"} for c in ns.review.criteria.all()], "submit": False}


WRITES = [
    Case(
        "contests:contest_open",
        model=Contest,
        obj=lambda ns: ns.draft,
        action="change",
        method="post",
        refused=ORGANIZER_ONLY,
        done_by="league_admin",
    ),
    Case(
        "contests:entry_withdraw",
        model=Entry,
        obj=entry,
        action="change",
        method="post",
        refused=ENTRANTS_ONLY,
        done_by="abag_admin",
    ),
    Case(
        "/api/v1/contests/entries/{pk}/withdraw",
        model=Entry,
        obj=entry,
        action="change",
        method="post",
        api=True,
        refused=ENTRANTS_ONLY,
        done_by="cadre",
    ),
    Case(
        "/api/v1/contests/judging/{pk}/scores",
        model=Assignment,
        obj=pending,
        method="post",
        api=True,
        data={"scores": [], "submit": False},
        refused=JUDGE_ONLY,
        done_by="judge",
    ),
    Case(
        "contests:contest_reopen",
        model=Contest,
        obj=lambda ns: ns.review,
        action="change",
        method="post",
        data=lambda ns, pk: {"code": ns.submitted.entry.code, "judge": ns.users.judge.pk, "reason": "错录"},
        refused=ORGANIZER_ONLY,
        done_by="league_admin",
    ),
    Case(
        "/api/v1/contests/assignments/{pk}/reopen",
        model=Assignment,
        obj=lambda ns: ns.submitted,
        action="change",
        method="post",
        api=True,
        data={"reason": "错录"},
        refused=ORGANIZER_ONLY,
        scope=lambda user, action: Assignment.objects.visible_to(user, action).exclude(judge=user),
        done_by="league_admin",
    ),
    Case(
        "/api/v1/contests/{pk}/open",
        model=Contest,
        obj=lambda ns: ns.draft,
        action="change",
        method="post",
        api=True,
        refused=ORGANIZER_ONLY,
        done_by="league_admin",
    ),
]


def organizer_post(url, obj=contest, **extra) -> Case:
    """An organiser's action on a contest: refused to every role but the league admin, done by them
    (a page answers 302 whether the action went through or was refused with a message)."""
    return Case(
        url, model=Contest, obj=obj, action="change", method="post", refused=ORGANIZER_ONLY, done_by="league_admin", **extra
    )


WRITES += [
    organizer_post("contests:contest_assign", data={"stage": "prelim"}),
    organizer_post("contests:assignment_add", data=lambda ns, pk: {"code": ns.entry.code, "judge": ns.users.judge.pk}),
    organizer_post("contests:contest_final", obj=lambda ns: ns.review),
    organizer_post("contests:contest_publish", obj=lambda ns: ns.review),
    organizer_post("contests:contest_unpublish", obj=lambda ns: ns.published, data={"reason": "更正"}),
    organizer_post("contests:contest_certificates", obj=lambda ns: ns.published, done=302),
    Case(
        "contests:assignment_remove",
        model=Assignment,
        obj=pending,
        action="change",
        method="post",
        refused=ORGANIZER_ONLY,
        scope=lambda user, action: Assignment.objects.visible_to(user, action).exclude(judge=user),
        done_by="league_admin",
    ),
    Case(
        "/reports/notices/from-contest/{pk}/",
        model=Contest,
        obj=lambda ns: ns.published,
        action="change",
        method="post",
        refused=NO_BUSINESS_ROLE | {"cadre", "judge", "abag_reviewer"},
        done_by="league_admin",
        id="reports:notice_from_contest",
    ),
    Case(
        "/api/v1/reports/notices/from-contest/{pk}",
        model=Contest,
        obj=lambda ns: ns.published,
        action="change",
        method="post",
        api=True,
        refused=NO_BUSINESS_ROLE | {"cadre", "judge", "abag_reviewer"},
        done_by="league_admin",
        done=201,
    ),
    Case(
        "/api/v1/contests/{pk}/entries",
        model=Contest,
        obj=contest,
        method="post",
        api=True,
        data=lambda ns, pk: {"title": "新作品", "text": "正文", "author_ids": [ns.org.bayi.pk]},
        refused=ENTRANTS_ONLY,
        done_by="cadre",
        done=201,
    ),
    Case(
        "/api/v1/contests/{pk}/assign",
        model=Contest,
        obj=contest,
        action="change",
        method="post",
        api=True,
        data={"stage": "prelim"},
        refused=ORGANIZER_ONLY,
        done_by="league_admin",
        done=422,
    ),
    Case(
        "/api/v1/contests/{pk}/publish",
        model=Contest,
        obj=lambda ns: ns.review,
        action="change",
        method="post",
        api=True,
        refused=ORGANIZER_ONLY,
        done_by="league_admin",
        done=422,
    ),
    Case(
        "/api/v1/contests/{pk}/final",
        model=Contest,
        obj=lambda ns: ns.review,
        action="change",
        method="post",
        api=True,
        refused=ORGANIZER_ONLY,
        done_by="league_admin",
        done=422,
    ),
    Case(
        "/api/v1/contests/{pk}/unpublish",
        model=Contest,
        obj=lambda ns: ns.published,
        action="change",
        method="post",
        api=True,
        data={"reason": "更正"},
        refused=ORGANIZER_ONLY,
        done_by="league_admin",
    ),
]

test_scoped = scoped_suite(CASES, setup)
test_scoped_writes = scoped_suite(WRITES, setup)
