"""The ledger's .xlsx export page (the layout of a paper 台账, one sheet per kind).
Routes in ``ledger/urls.py``."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from xuebi.core import xlsx
from xuebi.core.forms import add_validation_error
from xuebi.org.permissions import require_role

from .. import tasks
from ..forms.exports import ExportForm
from ..services import exports as services
from .reports import EXPORT_ROLES


@login_required
def export_view(request):
    """The export form (GET without filters); GET with filters answers the file."""
    require_role(request, *EXPORT_ROLES)
    form = ExportForm(request.GET or None, user=request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "kind": data["kind"],
            "unit": data["unit"],
            "date_from": data["start"],
            "date_to": data["end"],
            "approved_only": data["approved_only"],
        }
        try:
            if services.exported_records(actor=request.user, **filters).count() > settings.XUEBI_EXPORT_INLINE_ROWS:
                return redirect("jobs:job", tasks.start_export(request.user, **filters).pk)  # the download is on its page
            result = services.ledger_export(actor=request.user, **filters)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            return xlsx.download(result.content, result.filename)
    return render(request, "ledger/reports/export.html", {"form": form})
