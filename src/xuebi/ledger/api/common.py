"""What the ledger's API modules share: the error body, the role check, errors in ninja's shape."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import Schema, Status

from xuebi.core.forms import error_detail, validation_detail
from xuebi.org.permissions import get_visible_or_404
from xuebi.org.models import Unit
from xuebi.org.scoping import has_role

from .. import schema
from ..selectors import reports


class ErrorOut(Schema):
    detail: list[dict] | str


def require(user, *roles) -> None:
    if not has_role(user, *roles):
        raise PermissionDenied("您的角色无权访问此接口。")


def errors(exc: ValidationError) -> Status:
    return Status(422, {"detail": validation_detail(exc)})


def form_errors(form) -> Status:
    def loc(name: str) -> list[str]:
        if name.startswith(schema.FIELD_PREFIX):
            return ["body", "data", name[len(schema.FIELD_PREFIX) :]]
        return ["body"] if name == "__all__" else ["body", name]

    return Status(422, {"detail": error_detail(form, loc=loc)})


def visible_unit(user, unit_id: int | None) -> Unit | None:
    return get_visible_or_404(Unit, user, unit_id) if unit_id is not None else None


def year_param(year: int | None) -> int:
    today = timezone.localdate()
    if year is None:
        return today.year
    if year not in reports.year_choices(today):
        raise ValidationError({"year": f"年度应在{reports.FIRST_YEAR}年到{today.year}年之间。"})
    return year
