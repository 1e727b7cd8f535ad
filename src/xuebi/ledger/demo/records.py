"""Demo ledger: records in every state for 阿巴嘎旗委组织部, written through the real services, so
the demo accounts find a timeline (cadre), a queue (reviewer), a correction (abag) and a
三会一课 compliance report with gaps (the 机关党支部 missed some meetings) — and approved records in
every other county, so the leaderboards compare all 13 and show movement.

Every date is counted back from today (``timezone.localdate()``), so the demo is the same story
on any day: records over the last months fall into this year's campaign or last year's, whichever
covers them; last year's also gets its autumn, approved in full before it is closed (``xuebi.demo``).
On the last day of last month and today a few people who lag behind earn points (the same in last
year's November and December), so the whole-year board moves against the end of last month and
last year's final board against the end of its November. Nothing is dated after today, and nothing
is left waiting for review in last year's campaign, which closes.

Idempotent: does nothing once any record exists.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from xuebi.core import context
from xuebi.org.models import Person, Unit, User

from ..choices import FieldType
from ..models import Record, RecordKind
from ..services import records as services
from ..services.records import RecordInput

TOPICS = [
    "习近平总书记在庆祝中国共产党成立100周年大会上的重要讲话",
    "《中国共产党组织工作条例》",
    "党的二十届四中全会精神",
    "《习近平新时代中国特色社会主义思想学习纲要》",
    "铸牢中华民族共同体意识",
    "《干部选拔任用工作条例》",
    "组织工作“四个融合”",
    "基层党组织标准化规范化建设",
    "《中国共产党支部工作条例（试行）》",
    "党史学习教育专题",
]


def demo_photo(index: int) -> SimpleUploadedFile:
    """A small picture standing in for the photo a cadre takes of a meeting."""
    image = Image.new("RGB", (480, 320), (179, 20, 28))
    draw = ImageDraw.Draw(image)
    draw.rectangle((24, 24, 456, 296), outline=(255, 220, 120), width=6)
    draw.text((40, 40), f"xuebi demo photo {index}", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return SimpleUploadedFile(f"现场照片{index}.jpg", out.getvalue(), content_type="image/jpeg")


def _data(kind: RecordKind, index: int, author: Person, day: dt.date) -> dict:
    """Plausible values for every field of the kind (required or not), from its schema."""
    data = {}
    for d in kind.fields:
        key, kind_type = d["key"], d["type"]
        if kind_type in (FieldType.TEXT, FieldType.TEXTAREA):
            data[key] = (
                TOPICS[index % len(TOPICS)]
                if key in ("topic", "title") or kind_type == FieldType.TEXT
                else "认真学习，结合岗位抓好落实。"
            )
        elif kind_type == FieldType.NUMBER:
            low, high = Decimal(d.get("min", "1")), Decimal(d.get("max", "100"))
            value = min(max(low, Decimal(2)), high)
            data[key] = str(value.quantize(Decimal(1).scaleb(-d.get("decimals", 1))))
        elif kind_type == FieldType.CHOICE:
            data[key] = d["choices"][index % len(d["choices"])]
        elif kind_type == FieldType.MULTICHOICE:
            data[key] = d["choices"][:1]
        elif kind_type == FieldType.DATE:
            data[key] = day.isoformat()
        elif kind_type == FieldType.PERSON:
            data[key] = {"id": author.pk, "name": author.name}
    return data


def _record(
    actor,
    code: str,
    author: Person,
    day: dt.date,
    index: int,
    *,
    unit: Unit | None = None,
    attendees: list[Person] = (),
    submit: bool = True,
    level: str = "branch",
    data: dict | None = None,
) -> Record | None:
    kind = RecordKind.objects.filter(code=code, is_active=True).first()
    if kind is None:
        return None
    hours = Decimal("2") if kind.attendee_hours else None
    values = RecordInput(
        occurred_on=day,
        unit=unit,
        author=author if actor.person_id != author.pk else None,
        data={**_data(kind, index, author, day), **(data or {})},
        study_level=level if kind.has_study_level else "",
        attendees=[(p, hours) for p in attendees] if kind.is_group else [],
        files=[("", demo_photo(index))] if kind.evidence_required else [],
    )
    if kind.is_group and not values.attendees:
        values.attendees = [(author, hours)]
    return services.record_create(actor=actor, kind=kind, values=values, submit=submit)


def _month(today: dt.date, back: int) -> dt.date:
    """The first day of the month ``back`` months before today's."""
    months = today.year * 12 + today.month - 1 - back
    return dt.date(months // 12, months % 12 + 1, 1)


def load_ledger_demo() -> int:
    """Create the demo records; return how many there are."""
    if Record.objects.exists() or not RecordKind.objects.exists():
        return 0
    cadre, reviewer, admin = (User.objects.filter(username=u).first() for u in ("cadre", "reviewer", "abag"))
    if not (cadre and reviewer and admin and cadre.person):
        return 0
    today = timezone.localdate()
    new_year = dt.date(today.year, 1, 1)
    me = cadre.person
    colleagues = list(Person.objects.filter(unit=me.unit, status="active").exclude(pk=me.pk)[:6])
    abag = Unit.objects.get_ancestors(me.unit).filter(kind="county_dept").first() or me.unit
    branch = Unit.objects.get_children(abag).filter(kind="branch").first()
    with context.acting_as(cadre, ip="127.0.0.1"):
        # the cadre's own ledger: self-study every third day of the last eight weeks, a group study,
        # a 中央 media publication, a 廉政“六个一” item; the newest few waiting, one returned, a draft today
        for i in range(19):
            _record(cadre, "self_study" if i % 3 else "nightly_hour", me, today - dt.timedelta(days=55 - 3 * i), i)
        _record(cadre, "group_study", me, today - dt.timedelta(days=13), 1, attendees=[me, *colleagues[:4]])
        _record(cadre, "media_publication", me, today - dt.timedelta(days=20), 2)
        _record(cadre, "integrity_six", me, today - dt.timedelta(days=36), 3)
        _record(cadre, "self_study", me, today, 4, submit=False)
    with context.acting_as(reviewer, ip="127.0.0.1"):
        waiting = list(Record.objects.filter(status="submitted", author=me).order_by("occurred_on", "pk"))
        # the newest four of this year wait for review (the oldest of them is returned); the rest,
        # and all of last year's, are approved
        recent = [r for r in waiting if r.occurred_on >= new_year][-4:]
        for record in waiting:
            if record not in recent:
                services.record_approve(actor=reviewer, record=record, comment="")
        if recent:
            services.record_return(actor=reviewer, record=recent[0], comment="请补充学习篇目和页码。")
    with context.acting_as(admin, ip="127.0.0.1"):
        # colleagues' records recorded on their behalf (代录) in the last fortnight, waiting in the
        # reviewer's queue — this year's, however early in January
        for i, person in enumerate(colleagues):
            _record(
                admin,
                ("self_study", "give_lecture", "practical_service", "condolence", "publicity", "training")[i % 6],
                person,
                max(today - dt.timedelta(days=15 - 2 * i), new_year),
                i,
            )
        if branch is not None:
            _branch_meetings(admin, reviewer, branch, [me, *colleagues], today)
    league, checker = (User.objects.filter(username=u).first() for u in ("league", "league_reviewer"))
    if league is not None and checker is not None:
        _across_the_league(league, checker, exclude=abag, today=today)
        _publicity_and_service(league, checker, today=today)
    return Record.objects.count()


# What the annual summary counts (reports/figures.py), a little in every county: per county index c,
# (kind, how many, the fields that decide whether and how it counts).
PUBLISHED = (
    ("feature_film", lambda c: 1 + c % 3, lambda c, i: {}),
    (
        "publicity",
        lambda c: 3 + c % 4,
        lambda c, i: {"channel": ("微信公众号", "微信公众号", "网站")[i % 3], "origin": ("原创", "转发")[i % 2]},
    ),
    ("media_publication", lambda c: c % 3, lambda c, i: {"level": ("中央", "自治区", "盟", "旗县")[(c + i) % 4]}),
    ("video_views", lambda c: 1, lambda c, i: {"views": str(150 + 317 * c)}),
    (
        "training",
        lambda c: 1 + c % 2,
        lambda c, i: {"class_type": ("专题研讨班", "轮训班", "示范班", "业务培训班")[(c + i) % 4], "trainees": str(30 + 17 * c)},
    ),
    ("first_secretary", lambda c: 2 + c % 3, lambda c, i: {}),
    ("practical_service", lambda c: 1 + c % 4, lambda c, i: {}),
)


def _publicity_and_service(league, checker, *, today: dt.date) -> None:
    """Films, articles, media reports, video views, training classes, 第一书记 and 办实事 of this
    year in every county, entered by the league admin and approved by the league's reviewer — what
    the annual summary's sentences count (专题片20余部，微信公众号刊播转发稿件…)."""
    new_year = dt.date(today.year, 1, 1)
    span = max((today - new_year).days, 1)
    for c, county in enumerate(Unit.objects.filter(depth=2, kind="county_dept").order_by("path")):
        author = Person.objects.filter(unit__path__startswith=county.path, status="active").order_by("pk").first()
        if author is None:
            continue
        for k, (code, count, fields) in enumerate(PUBLISHED):
            for i in range(count(c)):
                day = new_year + dt.timedelta(days=(13 * c + 29 * k + 7 * i) % span)
                with context.acting_as(league, ip="127.0.0.1"):
                    record = _record(league, code, author, day, c + i, data=fields(c, i))
                if record is not None and record.status == "submitted":
                    with context.acting_as(checker, ip="127.0.0.1"):
                        services.record_approve(actor=checker, record=record)


def _across_the_league(league, checker, *, exclude: Unit, today: dt.date) -> None:
    """Each other county: two to four people with a few records in last year's autumn and over the
    last three months of this year, entered on their behalf (代录) by the league admin and approved
    by the league's reviewer (who enters a record does not approve it) — unequal on purpose. In every fourth county the last of them, who lags, gains ground at the end:
    a point on the last day of the previous month and a 中央 media publication (8 points) today, and the
    same on 30 November and 20 December of last year — the boards' ↑ and ↓."""
    counties = Unit.objects.filter(depth=2, kind="county_dept").exclude(pk=exclude.pk).order_by("path")
    codes = ("self_study", "media_publication", "nightly_hour", "self_study", "publicity")
    last_year, start = today.year - 1, max(today - dt.timedelta(days=90), dt.date(today.year, 1, 1))
    span = (today - start).days + 1
    new_year = dt.date(today.year, 1, 1)

    def approved(code: str, person: Person, day: dt.date, index: int) -> None:
        with context.acting_as(league, ip="127.0.0.1"):
            record = _record(league, code, person, day, index)
        if record is not None and record.status == "submitted":  # some kinds need no review
            with context.acting_as(checker, ip="127.0.0.1"):
                services.record_approve(actor=checker, record=record)

    for c, county in enumerate(counties):
        people = list(Person.objects.filter(unit__path__startswith=county.path, status="active").order_by("pk")[: 2 + c % 3])
        for j, person in enumerate(people):
            for i in range(1 + (c + j) % 4):
                n = c + i + j
                approved(codes[n % len(codes)], person, dt.date(last_year, 9 + (c + i) % 3, 3 + 5 * i + j), n)
                approved(codes[n % len(codes)], person, start + dt.timedelta(days=(7 * c + 11 * i + 5 * j) % span), n)
        if c % 4 == 3 and people:
            climber = people[-1]
            for before, after in (
                (dt.date(last_year, 11, 30), dt.date(last_year, 12, 20)),
                (_month(today, 0) - dt.timedelta(days=1), today),
            ):
                if before >= new_year or after < new_year:  # in January there is no earlier month this year
                    approved("self_study", climber, before, c)
                approved("media_publication", climber, after, 0)  # the first choice: 中央 media


def _branch_meetings(admin, reviewer, branch: Unit, members: list[Person], today: dt.date) -> None:
    """三会一课 of the 机关党支部 over the last twelve months and this month so far, with deliberate
    gaps for the compliance report: no 支委会 three and eight months ago, no 主题党日 four months ago,
    no 支部党员大会 in the last quarter that has ended. This month's meetings wait for review."""
    plan = []
    for back in range(12, -1, -1):
        month = _month(today, back)
        if back not in (3, 8):
            plan.append(("branch_committee", month.replace(day=8)))
        if back != 4:
            plan.append(("theme_day", month.replace(day=15)))
        plan.append(("party_group_meeting", month.replace(day=20)))
        if month.month % 3 == 0 and back > 3:  # a quarter's last month; the quarter before this one is missed
            plan.append(("branch_congress", month.replace(day=18)))
        if month.month % 3 == 2:
            plan.append(("party_lecture", month.replace(day=16)))
    this_month = _month(today, 0)
    for i, (code, day) in enumerate(sorted(plan, key=lambda p: p[1])):
        if day > today:
            continue
        record = _record(admin, code, members[i % len(members)], day, i, unit=branch, attendees=members)
        if record is not None and day < this_month:
            with context.acting_as(reviewer, ip="127.0.0.1"):
                services.record_approve(actor=reviewer, record=record)
