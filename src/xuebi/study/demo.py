"""Demo study lists for the Xilingol demo: two lists from 盟委组织部 to every county department,
with progress for the demo people so that completion, overdue items and the cadre's page show
something real. Run after the org demo (``xuebi.org.demo.load_demo``).

Idempotent: a list is found by its publisher and title; if it exists, nothing of it is touched.
Dates are counted in days from today, so on any day some items are past due and some ahead; no
progress is dated after today.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.core import context
from xuebi.org.choices import PersonStatus, UnitKind
from xuebi.org.models import Person, Unit, User
from xuebi.org.scoping import subtree_q

from .choices import ListStatus, MaterialType, NoteKind
from .models import StudyItem, StudyList, StudyNote, StudyPlan, StudyPlanItem, StudyProgress

__all__ = ["load_study_demo"]

# (title, description, published days ago, [(item title, type, source, required hours, due in days from today)])
DEMO_LISTS = [
    (
        "《习近平新时代中国特色社会主义思想学习纲要》学习清单",
        "全盟组工干部原原本本学、逐章逐节学，每章学习后在平台登记学时，并撰写学习笔记或心得体会。",
        268,
        [
            ("《学习纲要》第一至五章", MaterialType.BOOK, "学习出版社、人民出版社", "6", -209),
            ("《学习纲要》第六至十章", MaterialType.BOOK, "学习出版社、人民出版社", "6", -117),
            ("《学习纲要》第十一至十五章", MaterialType.BOOK, "学习出版社、人民出版社", "6", -25),
            ("《学习纲要》第十六章至结束语", MaterialType.BOOK, "学习出版社、人民出版社", "6", 36),
        ],
    ),
    (
        "党史学习教育视频学习清单",
        "结合“学习强国”和锡林郭勒党员教育平台，组织收看党史学习教育专题片。",
        201,
        [
            ("文献专题片《敢教日月换新天》", MaterialType.VIDEO, "学习强国", "4", -148),
            ("大型文献纪录片《百炼成钢：中国共产党的100年》", MaterialType.VIDEO, "学习强国", "4", -86),
            ("党史学习教育专题党课视频", MaterialType.VIDEO, "锡林郭勒党员教育平台", "0", -10),
            ("《中国共产党简史》", MaterialType.BOOK, "人民出版社、中共党史出版社", "6", 25),
        ],
    ),
]

# The cadre's plan for this year: (step, due in days from today — kept within the year, done).
DEMO_PLAN = [
    ("读完《学习纲要》前十章", -117, True),
    ("收看党史学习教育专题片并做笔记", -86, True),
    ("撰写一篇关于基层党组织建设的心得体会", 5, False),
    ("读完《中国共产党简史》", 25, False),
]

# The demo cadre has finished two items, lags on one past its deadline and has not begun the last.
CADRE_SHARES = [3, 1, 3, 0]


def _share(n: int, k: int, count: int) -> int:
    """How far person n has got on item k, in thirds: half the people are diligent, three in ten
    lag on one item, two in ten have barely started — a varied but repeatable picture."""
    level = n % 10
    if level < 5:
        return 3 if k < count - 1 or (n + k) % 2 == 0 else 1
    if level < 8:
        return 1 if k == n % count else 3
    return 1 if k == 0 else 0


def _progress_for(
    person: Person, shares: list[int], items: list[StudyItem], published: dt.date, today: dt.date
) -> list[StudyProgress]:
    rows = []
    for k, (item, share) in enumerate(zip(items, shares)):
        if share == 0:
            continue
        needed = item.required_hours or Decimal("1")
        hours = (needed * share / 3).quantize(Decimal("0.1"))
        # Studied a little before the deadline, never after today nor before publication.
        day = max(min(item.due_date - dt.timedelta(days=(person.pk * 7 + k * 3) % 40), today), published)
        while hours > 0:
            chunk = min(hours, Decimal("2"))
            rows.append(StudyProgress(item=item, person=person, hours=chunk, studied_on=day))
            hours -= chunk
            day = max(day - dt.timedelta(days=1), published)
    return rows


def _demo_person() -> Person | None:
    account = User.objects.filter(username="cadre").select_related("person").first()
    return account.person if account is not None else None


def _cadre_plan_and_note(person: Person, items: list[StudyItem], today: dt.date) -> int:
    created = 0
    year = today.year
    title = f"{year}年度个人学习计划"
    if not StudyPlan.objects.filter(person=person, title=title).exists():
        plan = StudyPlan.objects.create(
            person=person,
            year=year,
            title=title,
            target_hours=Decimal("60"),
            goals="读原著、学原文、悟原理，全年自学不少于60学时；结合组织工作实际撰写心得体会2篇。",
        )
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        StudyPlanItem.objects.bulk_create(
            [
                StudyPlanItem(
                    plan=plan, text=text, due_date=min(max(today + dt.timedelta(days=days), first), last), done=done, order=n
                )
                for n, (text, days, done) in enumerate(DEMO_PLAN, start=1)
            ]
        )
        created += 1
    if items and not StudyNote.objects.filter(person=person).exists():
        StudyNote.objects.create(
            person=person,
            kind=NoteKind.REFLECTION,
            item=items[0],
            title="学习《学习纲要》第一至五章的体会",
            body="通过逐章学习，进一步理解了新时代坚持和发展中国特色社会主义的历史方位。\n\n"
            "作为组工干部，要把学习成果转化为做好牧区基层党建工作的实际举措，在抓党建促乡村振兴中担当作为。",
        )
        created += 1
    return created


@transaction.atomic
def load_study_demo() -> int:
    """Create the demo lists, items and progress if missing; returns how many rows it created (0 on a rerun)."""
    root = Unit.objects.get_root_nodes().first()
    if root is None:
        return 0
    counties = list(Unit.objects.get_children(root).filter(kind=UnitKind.COUNTY_DEPT, is_active=True))
    creator = User.objects.filter(username="league").first()
    today = timezone.localdate()
    people = list(
        Person.objects.filter(status=PersonStatus.ACTIVE).filter(subtree_q([c.path for c in counties], "unit")).order_by("pk")
    )
    cadre = _demo_person()
    created = 0
    first_items: list[StudyItem] = []
    with context.acting_as(None, ip="127.0.0.1"):
        for title, description, days_ago, specs in DEMO_LISTS:
            if StudyList.objects.filter(unit=root, title=title).exists():
                continue
            published = today - dt.timedelta(days=days_ago)
            published_at = timezone.make_aware(dt.datetime.combine(published, dt.time(9)))
            study_list = StudyList.objects.create(
                unit=root,
                title=title,
                description=description,
                created_by=creator,
                status=ListStatus.PUBLISHED,
                published_at=published_at,
            )
            study_list.target_units.set(counties)
            items = [
                StudyItem.objects.create(
                    study_list=study_list,
                    title=t,
                    material_type=m,
                    source=s,
                    required_hours=Decimal(h),
                    due_date=today + dt.timedelta(days=due),
                    order=n * 10,
                )
                for n, (t, m, s, h, due) in enumerate(specs, start=1)
            ]
            first_items = first_items or items
            progress = []
            for n, person in enumerate(people):
                shares = CADRE_SHARES if person == cadre else [_share(n, k, len(items)) for k in range(len(items))]
                progress += _progress_for(person, shares, items, published, today)
            StudyProgress.objects.bulk_create(progress)
            created += 1 + len(items) + len(progress)
            audit_record(
                action=Action.STUDY_LIST_PUBLISH,
                target=study_list,
                actor_name="xuebi demo",
                changes={"target_units": "、".join(c.name for c in counties), "items": len(items), "progress": len(progress)},
            )
        if cadre is not None:
            created += _cadre_plan_and_note(
                cadre,
                first_items or list(StudyItem.objects.filter(study_list__unit=root, study_list__title=DEMO_LISTS[0][0])),
                today,
            )
    return created
