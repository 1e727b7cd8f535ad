"""Every assessment page and API endpoint, for every role (xuebi.testing.scoped): a round and its sheets are the
admins' of its unit's subtree (a league admin: all); a person sees their own sheet (and writes its 小结) and the
round they are in; reviewers, judges and the 三员 have no part in it."""

from xuebi.assessments import services
from xuebi.assessments.models import Assessment, Objection, Sheet
from xuebi.org.models import Unit
from xuebi.testing.scoped import NO_BUSINESS_ROLE, Case, league_wide, scoped_suite

OUTSIDERS = NO_BUSINESS_ROLE | {"judge"}
ADMINS_ONLY = OUTSIDERS | {"abag_reviewer", "cadre"}


def setup(ns):
    users, org = ns.users, ns.org
    ns.round = services.assessment_open(actor=users.abag_admin, unit=org.abag_section, kind="quarterly", year=2026, quarter=3)
    ns.mine = ns.round.sheets.get(person=org.bayi)
    ns.other = ns.round.sheets.get(person=org.abag_other)
    ns.objection = Objection.objects.create(assessment=ns.round, raised_by=users.cadre, text="异议")


def round_(ns):
    return ns.round


CASES = [
    Case("assessments:assessment_list", model=Assessment, obj=round_, shows=lambda a: a.period_label, refused=OUTSIDERS),
    Case("assessments:assessment_detail", model=Assessment, obj=round_, refused=OUTSIDERS),
    Case("assessments:assessment_create", model=Unit, obj=lambda ns: ns.org.abag, refused=ADMINS_ONLY, scope=league_wide(Unit)),
    Case("assessments:sheet_detail", model=Sheet, obj=lambda ns: ns.mine, refused=OUTSIDERS, id="own sheet"),
    Case("assessments:sheet_detail", model=Sheet, obj=lambda ns: ns.other, refused=OUTSIDERS, id="another's sheet"),
    Case("/api/v1/assessments", model=Assessment, obj=round_, api=True, shows=lambda a: a.period_label, refused=OUTSIDERS),
    Case("/api/v1/assessments/{pk}", model=Assessment, obj=round_, api=True, refused=OUTSIDERS),
    Case("/api/v1/assessments/{pk}/objections", model=Assessment, obj=round_, api=True, refused=OUTSIDERS),
    Case("/api/v1/assessments/sheets/{pk}", model=Sheet, obj=lambda ns: ns.mine, api=True, refused=OUTSIDERS),
    Case(
        "/api/v1/assessments/sheets/{pk}", model=Sheet, obj=lambda ns: ns.other, api=True, refused=OUTSIDERS, id="api another's"
    ),
    *[
        Case(url, model=Unit, obj=lambda ns: ns.org.abag_section, action="change", query="unit={pk}", refused=ADMINS_ONLY, id=url)
        for url in ("assessments:basis", "assessments:basis_xlsx", "assessments:basis_docx")
    ],
    Case(
        "/api/v1/assessments/basis?unit={pk}",
        model=Unit,
        obj=lambda ns: ns.org.abag_section,
        action="change",
        api=True,
        refused=ADMINS_ONLY,
    ),
]

WRITES = [
    Case(
        "assessments:sheet_detail",
        model=Sheet,
        obj=lambda ns: ns.mine,
        action="write",
        method="post",
        data={"summary": "小结"},
        refused=OUTSIDERS,
        done_by="cadre",
        id="summary",
    ),
    Case(
        "/api/v1/assessments/sheets/{pk}/summary",
        model=Sheet,
        obj=lambda ns: ns.mine,
        api=True,
        action="write",
        method="post",
        data={"summary": "小结"},
        refused=OUTSIDERS,
        done_by="cadre",
    ),
    *[
        Case(
            f"assessments:{name}",
            model=Assessment,
            obj=round_,
            action="change",
            method="post",
            data=data,
            refused=ADMINS_ONLY,
            done_by="abag_admin",
        )
        for name, data in [
            ("grades_save", lambda ns, pk: {f"grade-{ns.other.pk}": "good"}),
            ("assessment_publicise", {"start": "2026-11-26", "end": "2026-11-30"}),
            ("approval_save", {"share": "25%", "approved_by": "盟委组织部", "document": "锡组字〔2026〕1号"}),
            ("assessment_finalise", {}),
        ]
    ],
    Case(
        "assessments:objection_create",
        model=Assessment,
        obj=round_,
        method="post",
        data={"text": "异议"},
        refused=OUTSIDERS,
        done_by="cadre",
    ),
    Case(
        "assessments:objection_reply",
        model=Objection,
        obj=lambda ns: ns.objection,
        action="change",
        method="post",
        data={"reply": "答复"},
        refused=ADMINS_ONLY,
        done_by="abag_admin",
    ),
    Case(
        "/api/v1/assessments/{pk}/grades",
        model=Assessment,
        obj=round_,
        api=True,
        action="change",
        method="post",
        data=lambda ns, pk: {"grades": {str(ns.other.pk): "good"}},
        refused=ADMINS_ONLY,
        done_by="abag_admin",
    ),
    Case(
        "/api/v1/assessments/{pk}/publicise",
        model=Assessment,
        obj=round_,
        api=True,
        action="change",
        method="post",
        data={"start": "2026-11-26", "end": "2026-11-30"},
        refused=ADMINS_ONLY,
        done_by="abag_admin",
        done=422,  # nobody graded yet
    ),
    Case(
        "/api/v1/assessments/{pk}/approval",
        model=Assessment,
        obj=round_,
        api=True,
        action="change",
        method="post",
        data={"share": "25", "approved_by": "盟委组织部", "document": "1号"},
        refused=ADMINS_ONLY,
        done_by="abag_admin",
        done=422,  # a quarterly round has no 优秀 share
    ),
    Case(
        "/api/v1/assessments/{pk}/objections",
        model=Assessment,
        obj=round_,
        api=True,
        method="post",
        data={"text": "异议"},
        refused=OUTSIDERS,
        done_by="cadre",
        done=422,  # not publicised
    ),
    Case(
        "/api/v1/assessments/objections/{pk}/reply",
        model=Objection,
        obj=lambda ns: ns.objection,
        api=True,
        action="change",
        method="post",
        data={"reply": "答复"},
        refused=ADMINS_ONLY,
        done_by="abag_admin",
    ),
    Case(
        "/api/v1/assessments/{pk}/finalise",
        model=Assessment,
        obj=round_,
        api=True,
        action="change",
        method="post",
        refused=ADMINS_ONLY,
        done_by="abag_admin",
        done=422,  # nobody graded yet: refused with the reason, nothing changed
    ),
]

test_scoped = scoped_suite(CASES + WRITES, setup)
