"""Demo ledger: records in every state for 阿巴嘎旗委组织部, written through the real services, so
the demo accounts find a timeline (cadre), a queue (reviewer), a correction (abag) and a
三会一课 compliance report with gaps (the 机关党支部 missed some meetings) — and a few approved
records in every other county since September, so the leaderboards compare all 13 and show
movement from month to month.

Idempotent: does nothing once any record exists.
"""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from xuebi.core import context
from xuebi.org.models import Person, Unit, User

from . import services
from .choices import FieldType
from .models import Record, RecordKind
from .services import RecordInput

TOPICS = [
    "习近平总书记在庆祝中国共产党成立100周年大会上的重要讲话", "《中国共产党组织工作条例》", "党的二十届四中全会精神",
    "《习近平新时代中国特色社会主义思想学习纲要》", "铸牢中华民族共同体意识", "《干部选拔任用工作条例》",
    "组织工作“四个融合”", "基层党组织标准化规范化建设", "《中国共产党支部工作条例（试行）》", "党史学习教育专题",
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
            data[key] = TOPICS[index % len(TOPICS)] if key in ("topic", "title") or kind_type == FieldType.TEXT else "认真学习，结合岗位抓好落实。"
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


def _record(actor, code: str, author: Person, day: dt.date, index: int, *, unit: Unit | None = None,
            attendees: list[Person] = (), submit: bool = True, level: str = "branch") -> Record | None:
    kind = RecordKind.objects.filter(code=code, is_active=True).first()
    if kind is None:
        return None
    hours = Decimal("2") if kind.attendee_hours else None
    values = RecordInput(
        occurred_on=day, unit=unit, author=author if actor.person_id != author.pk else None,
        data=_data(kind, index, author, day), study_level=level if kind.has_study_level else "",
        attendees=[(p, hours) for p in attendees] if kind.is_group else [],
        files=[("", demo_photo(index))] if kind.evidence_required else [],
    )
    if kind.is_group and not values.attendees:
        values.attendees = [(author, hours)]
    return services.record_create(actor=actor, kind=kind, values=values, submit=submit)


def load_ledger_demo() -> int:
    """Create the demo records; return how many there are."""
    if Record.objects.exists() or not RecordKind.objects.exists():
        return 0
    cadre, reviewer, admin = (User.objects.filter(username=u).first() for u in ("cadre", "reviewer", "abag"))
    if not (cadre and reviewer and admin and cadre.person):
        return 0
    me = cadre.person
    colleagues = list(Person.objects.filter(unit=me.unit, status="active").exclude(pk=me.pk)[:6])
    abag = Unit.objects.get_ancestors(me.unit).filter(kind="county_dept").first() or me.unit
    branch = Unit.objects.get_children(abag).filter(kind="branch").first()
    with context.acting_as(cadre, ip="127.0.0.1"):
        # the cadre's own ledger: self-study most days, approved; some waiting, one returned, one draft
        for i, day in enumerate(dt.date(2026, 10, 1) + dt.timedelta(days=d) for d in range(0, 55, 3)):
            _record(cadre, "self_study" if i % 3 else "nightly_hour", me, day, i)
        _record(cadre, "group_study", me, dt.date(2026, 11, 12), 1, attendees=[me, *colleagues[:4]])
        _record(cadre, "org_info", me, dt.date(2026, 11, 5), 2)
        _record(cadre, "integrity_six", me, dt.date(2026, 10, 20), 3)
        _record(cadre, "self_study", me, dt.date(2026, 11, 24), 4, submit=False)
    with context.acting_as(reviewer, ip="127.0.0.1"):
        for record in Record.objects.filter(status="submitted", author=me).order_by("occurred_on")[:14]:
            services.record_approve(actor=reviewer, record=record, comment="")
        returned = Record.objects.filter(status="submitted", author=me).order_by("occurred_on").first()
        if returned:
            services.record_return(actor=reviewer, record=returned, comment="请补充学习篇目和页码。")
    with context.acting_as(admin, ip="127.0.0.1"):
        # colleagues' records recorded on their behalf (代录), waiting in the reviewer's queue
        for i, person in enumerate(colleagues):
            _record(admin, ("self_study", "give_lecture", "practical_service", "condolence", "publicity", "training")[i % 6],
                    person, dt.date(2026, 11, 10 + i), i)
        if branch is not None:
            _branch_meetings(admin, reviewer, branch, [me, *colleagues])
    league = User.objects.filter(username="league").first()
    if league is not None:
        with context.acting_as(league, ip="127.0.0.1"):
            _across_the_league(league, exclude=abag)
    return Record.objects.count()


def _across_the_league(league, *, exclude: Unit) -> None:
    """Each other county: two to four people with a few records from September to November,
    entered on their behalf (代录) by the league admin and approved by the league's reviewer (who
    enters a record never approves it) — unequal on purpose."""
    reviewer = User.objects.filter(username="league_reviewer").first()
    counties = Unit.objects.filter(depth=2, kind="county_dept").exclude(pk=exclude.pk).order_by("path")
    codes = ("self_study", "org_info", "nightly_hour", "self_study", "publicity")
    for c, county in enumerate(counties):
        people = Person.objects.filter(unit__path__startswith=county.path, status="active").order_by("pk")
        for j, person in enumerate(people[: 2 + c % 3]):
            for i in range(1 + (c + j) % 4):
                day = dt.date(2026, 9 + (c + i) % 3, 3 + 5 * i + j)
                record = _record(league, codes[(c + i + j) % len(codes)], person, day, c + i + j)
                if reviewer and record is not None and record.status == "submitted":  # some kinds need no review
                    with context.acting_as(reviewer, ip="127.0.0.1"):
                        services.record_approve(actor=reviewer, record=record)


def _branch_meetings(admin, reviewer, branch: Unit, members: list[Person]) -> None:
    """三会一课 of the 机关党支部 in 2026, with deliberate gaps for the compliance report:
    no 支委会 in April and September, no 支部党员大会 in the third quarter, no 主题党日 in August."""
    plan = []
    for month in range(1, 12):
        if month not in (4, 9):
            plan.append(("branch_committee", dt.date(2026, month, 8)))
        if month != 8:
            plan.append(("theme_day", dt.date(2026, month, 15)))
        plan.append(("party_group_meeting", dt.date(2026, month, 20)))
    plan += [("branch_congress", dt.date(2026, m, 18)) for m in (3, 6, 11)]
    plan += [("party_lecture", dt.date(2026, m, 16)) for m in (2, 5, 8, 11)]
    for i, (code, day) in enumerate(plan):
        record = _record(admin, code, members[i % len(members)], day, i, unit=branch, attendees=members)
        if record is not None and day.month < 11:
            with context.acting_as(reviewer, ip="127.0.0.1"):
                services.record_approve(actor=reviewer, record=record)
