"""The built-in evidence providers (``evidence.register``): points, approved 台账 records, study, contest awards
and 组工信息 of the period. Each answers for all the people at once in one or two queries. A provider of an app
below this one (checklists) is a function in that app, registered here."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum

from xuebi.campaign.choices import Dimension
from xuebi.checklists.selectors import assessment_rows
from xuebi.contests.models import ContestStatus, EntryAuthor
from xuebi.core.formatting import points_text
from xuebi.ledger.choices import RecordStatus
from xuebi.ledger.models import Participant
from xuebi.orginfo.models import Adoption, InfoAuthor, ItemStatus
from xuebi.points.models import PointEntry
from xuebi.study.models import StudyProgress

from . import evidence
from .evidence import Row

DIMENSIONS = dict(Dimension.choices)
SHOWN = 5  # titles listed per person; the rest are counted


def points(person_ids, start, end):
    """The person's points of the period by 类别, and the total (the journal: reversals included, so a
    withdrawn award nets to nothing)."""
    rows = (
        PointEntry.objects.filter(person_id__in=person_ids, occurred_on__range=(start, end))
        .values("person_id", "dimension")
        .annotate(total=Sum("points"))
        .order_by()
    )
    by: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        by[row["person_id"]][row["dimension"]] = row["total"] or Decimal(0)
    out = {}
    for pk, dims in by.items():
        total = sum(dims.values(), Decimal(0))
        parts = "，".join(f"{DIMENSIONS.get(d, d)} {points_text(v)}" for d, v in sorted(dims.items()) if v)
        out[pk] = [Row(text=f"合计 {points_text(total)} 分" + (f"（{parts}）" if parts else ""), value=total)]
    return out


def records(person_ids, start, end):
    """Approved 台账 records the person took part in during the period (by kind, a few titles)."""
    rows = (
        Participant.objects.filter(
            person_id__in=person_ids, occurred_on__range=(start, end), record__status=RecordStatus.APPROVED
        )
        .values_list("person_id", "record__kind__name", "record__title", "occurred_on")
        .order_by("person_id", "-occurred_on")
    )
    by: dict[int, list] = defaultdict(list)
    for pk, kind, title, day in rows:
        by[pk].append((kind, title, day))
    out = {}
    for pk, items in by.items():
        kinds: dict[str, int] = defaultdict(int)
        for kind, _t, _d in items:
            kinds[kind] += 1
        summary = "、".join(f"{k} {n} 条" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
        made = [Row(text=f"已通过 {len(items)} 条：{summary}", value=Decimal(len(items)))]
        made += [Row(text=f"{d.month}月{d.day}日 {k}：{t}") for k, t, d in items[:SHOWN]]
        out[pk] = made
    return out


def study(person_ids, start, end):
    """Study registered in the period: entries, hours, items."""
    rows = (
        StudyProgress.objects.filter(person_id__in=person_ids, studied_on__range=(start, end))
        .values("person_id")
        .annotate(times=Count("pk"), hours=Sum("hours"), items=Count("item", distinct=True))
        .order_by()
    )
    return {
        row["person_id"]: [
            Row(
                text=f"学习 {row['items']} 项内容，登记 {row['times']} 次，共 {points_text(row['hours'] or 0)} 学时",
                value=row["hours"] or Decimal(0),
            )
        ]
        for row in rows
    }


def contest_awards(person_ids, start, end):
    """Awards of published contests whose results came out in the period."""
    rows = (
        EntryAuthor.objects.filter(
            person_id__in=person_ids,
            entry__contest__status=ContestStatus.PUBLISHED,
            entry__contest__published_at__date__range=(start, end),
            entry__award__isnull=False,
        )
        .exclude(entry__award__level="")
        .values_list("person_id", "entry__contest__title", "entry__title", "entry__award__level")
        .order_by("person_id", "entry__contest__published_at")
    )
    out: dict[int, list[Row]] = defaultdict(list)
    for pk, contest, title, level in rows:
        out[pk].append(Row(text=f"{contest}：《{title}》{level}", value=Decimal(1)))
    return dict(out)


def orginfo(person_ids, start, end):
    """组工信息 the person wrote that were sent in the period, and their standing adoptions."""
    sent = (
        InfoAuthor.objects.filter(
            person_id__in=person_ids, item__status=ItemStatus.SUBMITTED, item__submitted_on__range=(start, end)
        )
        .values("person_id")
        .annotate(n=Count("item", distinct=True))
        .order_by()
    )
    adopted = (
        Adoption.objects.standing()
        .filter(adopted_on__range=(start, end), item__author_rows__person_id__in=person_ids)
        .values("item__author_rows__person_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in sent:
        counts[row["person_id"]][0] = row["n"]
    for row in adopted:
        counts[row["item__author_rows__person_id"]][1] = row["n"]
    return {
        pk: [Row(text=f"报送 {n_sent} 篇，被采用 {n_adopted} 次", value=Decimal(n_adopted))]
        for pk, (n_sent, n_adopted) in counts.items()
    }


def checklists(person_ids, start, end):
    """The items closed in the period (on time, late), those left overdue, and the year's pledges with
    their 践诺评价: ``checklists.selectors.assessment_rows``; its value is the items closed on time."""
    return {
        pk: [Row(text=text, value=value, link=link) for text, value, link in rows]
        for pk, rows in assessment_rows(person_ids, start, end).items()
    }


evidence.register("points", points, label="积分", order=10)
evidence.register("records", records, label="台账记录", order=20)
evidence.register("study", study, label="学习", order=30)
evidence.register("contests", contest_awards, label="评比获奖", order=40)
evidence.register("orginfo", orginfo, label="组工信息", order=50)
evidence.register("checklists", checklists, label="清单事项", order=60)
