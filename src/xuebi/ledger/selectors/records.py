"""Reads of records that depend on who is asking: my ledger (timeline), the review queue, its
order and filters. Every one is a subset of ``Record.objects.visible_to(user)``."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from xuebi.core.forms import db_id
from xuebi.org.models import Unit

from ..choices import RecordStatus
from ..models import Participant, Record
from ..services.records import decidable_by

__all__ = ["mine", "Counted", "timeline", "filter_params", "count_of", "review_queue_records", "QUEUE_SORTS", "queue", "after"]


def mine(user):
    """我的台账, newest first: the records the user took part in (as author, presenter or
    attendee); for an account without a roster entry, the records it wrote on others' behalf (代录).

    Both are exactly what ``Record.scope_self_q`` lets a user see of their own, so this is a
    subset of ``visible_to(user)`` by construction; it is not wrapped in it again because the
    extra OR would cost a scan of the user's whole subtree on every page. A person's records are
    read in the order of the ``(person, occurred_on, record)`` index on their participations, so
    the first page costs the same with 200 records or 200,000 (bench/ledger.py).
    """
    if user.person_id:
        return Record.objects.filter(participants__person_id=user.person_id).order_by(
            "-participants__occurred_on", "-participants__record_id"
        )
    return Record.objects.filter(created_by=user).order_by("-occurred_on", "-pk")


class Counted:
    """A queryset for Paginator (and the API's pagination) whose count comes from a cheaper
    query: a person's unfiltered timeline is counted from their participations alone, an
    index-only count, instead of a join with the whole ledger."""

    def __init__(self, queryset, count):
        self.queryset, self._count = queryset, count

    def __getitem__(self, item):
        return self.queryset[item]

    def __len__(self):
        return self.count()

    def count(self) -> int:
        return self._count()


def timeline(user, records, *, filtered: bool):
    if user.person_id and not filtered:
        return Counted(records, Participant.objects.filter(person_id=user.person_id).count)
    return records


def filter_params(params, records):
    kind = params.get("kind", "")
    status = params.get("status", "")
    q = params.get("q", "").strip()
    if db_id(kind) is not None:
        records = records.filter(kind_id=db_id(kind))
    if status in RecordStatus.values:
        records = records.filter(status=status)
    if q:
        records = records.filter(title__contains=q)
    return records, {"kind": kind, "status": status, "q": q}


def count_of(model):
    """A per-row count as a correlated subquery: evaluated for the page's rows only, not joined
    and grouped over the whole queue."""
    rows = model.objects.filter(record=OuterRef("pk")).order_by().values("record").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def review_queue_records(user):
    """The submitted records ``user`` may decide on: in their review scope, and none they have a
    stake in (entered, authored, organised, attended) — those wait for another reviewer."""
    return Record.objects.visible_to(user, "review").filter(status=RecordStatus.SUBMITTED).filter(decidable_by(user))


# 待审核的排序: key → (label, order). Every order ends in the primary key, so "the next record"
# after a decided one is well defined (``after``).
QUEUE_SORTS = {
    "submitted": ("提交时间（先交先审）", ("submitted_at", "pk")),
    "-submitted": ("提交时间（最新在前）", ("-submitted_at", "-pk")),
    "unit": ("单位", ("unit__path", "submitted_at", "pk")),
    "kind": ("台账类型", ("kind__sort_order", "kind_id", "submitted_at", "pk")),
    "author": ("记录人", ("author__name_pinyin", "author_id", "submitted_at", "pk")),
}


def queue(user, params):
    """The review queue as ``params`` (the page's GET, or the query it was left with) filters and
    orders it: (records, filters, sort key)."""
    records, filters = filter_params(params, review_queue_records(user))
    unit = params.get("unit", "")
    if db_id(unit) is not None:
        top = Unit.objects.visible_to(user).filter(pk=db_id(unit)).first()
        if top is not None:
            records = records.filter(unit__path__startswith=top.path)
    sort = params.get("sort", "")
    sort = sort if sort in QUEUE_SORTS else "submitted"
    return records.order_by(*QUEUE_SORTS[sort][1]), {**filters, "unit": unit, "sort": sort}, sort


def after(records, order: tuple[str, ...], record: Record):
    """The records after ``record`` in ``order`` (keyset: (a, b, pk) > (a0, b0, pk0)); ``record``
    itself may have left the queue (decided), its values still place it."""
    fields = [name.lstrip("-") for name in order]
    values = Record.objects.filter(pk=record.pk).values(*fields).first()
    if values is None:
        return records.none()
    condition = Q()
    for index, name in enumerate(order):
        field = name.lstrip("-")
        step = Q(**{f"{field}__{'lt' if name.startswith('-') else 'gt'}": values[field]})
        for earlier in fields[:index]:
            step &= Q(**{earlier: values[earlier]})
        condition |= step
    return records.filter(condition)
