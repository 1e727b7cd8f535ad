"""Hostile data for the injection tests: every place an administrator or a user writes text that
others see (unit and person names, a kind's name, field labels, help and choices, record values,
campaign and indicator names, study lists) filled with the payloads a test hands in.

Names go in with the ORM (the point is what the pages and files do with whatever is stored, and
some payloads are longer than a form would let through); kinds and records go through their
services so the schema and the record are what the product would have written.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from xuebi.campaign.models import Campaign, Indicator
from xuebi.ledger.services.kinds import kind_create
from xuebi.ledger.services.records import RecordInput, record_create
from xuebi.org.models import Person, Unit, User
from xuebi.study import services as study_services


def build(org, users, payloads: list[str]) -> SimpleNamespace:
    """Write ``payloads`` (cycled) into every user- and admin-written text; return what was made."""
    texts = iter(payloads * 20)

    def text(limit: int = 10_000) -> str:
        return next(texts)[:limit]

    today = dt.date(2026, 11, 20)
    Unit.objects.filter(pk=org.abag_section.pk).update(name=text(100))
    Unit.objects.filter(pk=org.abag.pk).update(short_name=text(30))
    Person.objects.filter(pk=org.abag_other.pk).update(name=text(50), position=text(100))
    User.objects.filter(pk=users.abag_reviewer.pk).update(full_name=text(50))
    campaign = Campaign.objects.create(name=text(100), start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    Indicator.objects.create(campaign=campaign, dimension="theory", name=text(100), max_points=Decimal("30"))
    choices = list(dict.fromkeys(payloads))
    kind = kind_create(
        actor=users.league_admin,
        code="hostile",
        name=text(50),
        dimension="theory",
        participation="group",
        fields=[
            {"key": "topic", "label": text(), "help": "\n".join(payloads), "type": "text", "required": True, "max_length": 500},
            {"key": "level", "label": text(), "help": text(), "type": "choice", "choices": choices},
            {"key": "tags", "label": text(), "help": text(), "type": "multichoice", "choices": choices},
            {"key": "notes", "label": text(), "help": text(), "type": "textarea"},
            {"key": "words", "label": text(), "help": text(), "type": "number", "unit": text()},
            {"key": "host", "label": text(), "help": text(), "type": "person"},
            {"key": "venue", "label": text(), "help": text(), "type": "unit"},
            {"key": "attachment", "label": text(), "help": text(), "type": "file"},
        ],
    )
    org.abag_section.refresh_from_db()
    org.abag_other.refresh_from_db()
    data = {
        "topic": text(500),
        "level": choices[0],
        "tags": choices,
        "notes": "\n".join(payloads),
        "words": "1200",
        "host": {"id": org.abag_other.pk, "name": org.abag_other.name},
        "venue": {"id": org.abag_section.pk, "name": org.abag_section.name},
    }
    values = dict(occurred_on=today, unit=org.abag_section, data=data, attendees=[(org.abag_other, Decimal("2"))])
    draft = record_create(actor=users.cadre, kind=kind, values=RecordInput(**values))
    submitted = record_create(actor=users.cadre, kind=kind, values=RecordInput(**values), submit=True)
    study_list = study_services.study_list_create(
        actor=users.league_admin, unit=org.league, title=text(200), target_units=[org.abag], description="\n".join(payloads)
    )
    study_services.study_item_create(
        actor=users.league_admin,
        study_list=study_list,
        title=text(200),
        due_date=today + dt.timedelta(days=30),
        required_hours=Decimal("1"),
        material_type="article",
    )
    study_services.study_list_publish(actor=users.league_admin, study_list=study_list)
    return SimpleNamespace(campaign=campaign, kind=kind, draft=draft, submitted=submitted, study_list=study_list)
