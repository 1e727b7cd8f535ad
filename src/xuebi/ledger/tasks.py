"""The ledger's background work, registered with the jobs module from ``LedgerConfig.ready``: an
export of more than ``XUEBI_EXPORT_INLINE_ROWS`` records is written by a job, as the person who
asked and within their scope now, and audited as the page's export is (``services.exports``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from xuebi.jobs import services as jobs
from xuebi.jobs.models import Job
from xuebi.org.models import Unit

from .models import RecordKind
from .services import exports

EXPORT = "ledger.export"


def export_params(
    *, kind: RecordKind | None, unit: Unit | None, date_from: dt.date, date_to: dt.date, approved_only: bool
) -> dict:
    """What an export job needs to write the same file the page would (JSON: ids and ISO dates)."""
    return {
        "kind": kind.pk if kind else None,
        "unit": unit.pk if unit else None,
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "approved_only": approved_only,
    }


def start_export(owner, **filters) -> Job:
    """Start writing the export of ``filters`` (``export_params``'s) in the background."""
    count = exports.exported_records(actor=owner, **filters).count()
    return jobs.start(EXPORT, owner=owner, params=export_params(**filters), total=count)


def export_job(job: Job, progress: jobs.Progress) -> jobs.Done:
    params, owner = job.params, job.owner
    unit = None
    if params.get("unit") is not None:
        unit = Unit.objects.visible_to(owner).filter(pk=params["unit"]).first()
        if unit is None:
            raise ValidationError("所选单位已不在您的管理范围内，未导出。")
    kind = RecordKind.objects.filter(pk=params["kind"]).first() if params.get("kind") is not None else None
    progress(0, job.total)
    result = exports.ledger_export(
        actor=owner,
        kind=kind,
        unit=unit,
        approved_only=params["approved_only"],
        date_from=dt.date.fromisoformat(params["date_from"]),
        date_to=dt.date.fromisoformat(params["date_to"]),
    )
    progress(result.rows, result.rows)
    return jobs.Done(summary=f"已导出{result.rows}条台账记录。", file_name=result.filename, content=result.content)


def register() -> None:
    jobs.register(EXPORT, export_job, label="导出台账")
