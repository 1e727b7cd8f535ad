"""Helpers for the report, 业务讲堂 and export tests: meeting kinds, 党支部 and records.

Records for the reports are written with the ORM at chosen dates and statuses (the reports only
read them); the 业务讲堂 tests go through ``record_create`` like the pages do.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from xuebi.ledger.services.kinds import kind_create
from xuebi.ledger.models import Participant, Record, RecordKind
from xuebi.ledger.demo.requirements import load_demo_requirements
from xuebi.org.models import Person, Unit, User

MEETINGS = [
    ("branch_congress", "支部党员大会"),
    ("branch_committee", "支委会"),
    ("party_group_meeting", "党小组会"),
    ("party_lecture", "党课"),
    ("theme_day", "主题党日"),
]


def meeting_kinds(actor) -> SimpleNamespace:
    """The five 三会一课/主题党日 kinds (group records with a topic) and their default requirements."""
    ns = SimpleNamespace()
    for order, (code, name) in enumerate(MEETINGS, start=1):
        setattr(
            ns,
            code,
            kind_create(
                actor=actor,
                code=code,
                name=name,
                dimension="party_spirit",
                participation="group",
                sort_order=order,
                fields=[{"key": "topic", "label": "会议主题", "type": "text", "required": True}],
            ),
        )
    load_demo_requirements()
    return ns


def lecture_kind(actor, **extra) -> RecordKind:
    return kind_create(
        actor=actor,
        code="business_lecture",
        name="业务讲堂",
        dimension="business",
        participation="group",
        attendee_hours=True,
        sort_order=20,
        fields=[
            {"key": "topic", "label": "讲堂主题", "type": "text", "required": True},
            {"key": "presenter", "label": "主讲人", "type": "person", "required": True},
            {"key": "summary", "label": "内容摘要", "type": "textarea"},
        ],
        **extra,
    )


def study_kind(actor) -> RecordKind:
    return kind_create(
        actor=actor,
        code="group_study",
        name="集中学习",
        dimension="theory",
        participation="group",
        has_study_level=True,
        sort_order=10,
        fields=[{"key": "topic", "label": "学习主题", "type": "text", "required": True}],
    )


def add_branch(parent: Unit, name: str) -> Unit:
    parent.refresh_from_db()
    return Unit.objects.add_child(parent, instance=Unit(name=name, kind="branch"))


def make_record(
    kind: RecordKind,
    unit: Unit,
    author: Person,
    day: dt.date,
    *,
    status: str = "approved",
    creator=None,
    study_level: str = "",
    data: dict | None = None,
    attendees=(),
) -> Record:
    """A record as the ledger would hold it, written directly: the reports only read records."""
    schema = kind.versions.get(version=kind.version)
    record = Record.objects.create(
        kind=kind,
        schema=schema,
        unit=unit,
        author=author,
        created_by=creator or User.objects.order_by("pk").first(),
        title=f"{kind.name} {day}",
        occurred_on=day,
        data=data if data is not None else {"topic": f"{kind.name}（{day}）"},
        status=status,
        study_level=study_level,
    )
    Participant.objects.create(record=record, person=author, unit=author.unit, role="author", occurred_on=record.occurred_on)
    for person, hours in attendees:
        Participant.objects.create(
            record=record, person=person, unit=person.unit, role="attendee", hours=hours, occurred_on=record.occurred_on
        )
    return record
