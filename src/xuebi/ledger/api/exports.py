"""/api/v1/ledger/export: the ledger as an .xlsx workbook, through the same form and service as the
page (``views.exports``)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router

from xuebi.core import xlsx
from xuebi.core.api import DbInt
from xuebi.jobs.api import JobStarted, started
from xuebi.org.choices import Role

from .. import tasks
from ..forms.exports import ExportForm
from ..models import REVIEW_ROLES, RecordKind
from ..services import exports as services
from .common import ErrorOut, errors, form_errors, require, visible_unit

router = Router(tags=["台账统计与业务讲堂"])


# --- export -------------------------------------------------------------------------------------


@router.get(
    "/ledger/export",
    response={200: None, 202: JobStarted, 422: ErrorOut},
    summary="导出台账 .xlsx（按类型、单位、期间；每类一页，纸质台账版式；记录多时在后台生成：202，附任务状态地址）",
)
def export_ledger(
    request, kind: str = "", unit_id: DbInt | None = None, date_from: str = "", date_to: str = "", approved_only: bool = False
):
    require(request.auth, *REVIEW_ROLES, Role.CADRE)
    kind_obj = get_object_or_404(RecordKind, code=kind) if kind else None
    unit = visible_unit(request.auth, unit_id)
    form = ExportForm(
        data={
            "kind": kind_obj.pk if kind_obj else "",
            "unit": unit.pk if unit else "",
            "date_from": date_from,
            "date_to": date_to,
            "approved_only": "on" if approved_only else "",
        },
        user=request.auth,
    )
    if not form.is_valid():
        return form_errors(form)
    data = form.cleaned_data
    filters = {"kind": kind_obj, "unit": unit, "date_from": data["start"], "date_to": data["end"], "approved_only": approved_only}
    try:
        if services.exported_records(actor=request.auth, **filters).count() > settings.XUEBI_EXPORT_INLINE_ROWS:
            return started(tasks.start_export(request.auth, **filters))
        result = services.ledger_export(actor=request.auth, **filters)
    except ValidationError as exc:
        return errors(exc)
    return xlsx.download(result.content, result.filename)
