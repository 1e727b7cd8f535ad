"""Which meetings a 党支部 must hold, how often: the rows behind the 三会一课 compliance report.

Frequencies differ between places (DOMAIN.md: 党课 quarterly in most units, twice a year in
some), so they are configuration that the league admin changes, each change audited.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record, diff, snapshot
from xuebi.org.choices import Role
from xuebi.org.scoping import has_role

from ..choices import Frequency
from ..models import MeetingRequirement, RecordKind

__all__ = ["requirement_save", "MAX_MIN_COUNT"]

AUDIT_FIELDS = ["kind", "frequency", "min_count", "is_active"]
MAX_MIN_COUNT = 31


@transaction.atomic
def requirement_save(
    *, actor, kind: RecordKind, frequency: str, min_count: int = 1, is_active: bool = True
) -> MeetingRequirement:
    """Create or change the requirement for ``kind`` (one per kind). League admins only."""
    if not has_role(actor, Role.LEAGUE_ADMIN):
        raise PermissionDenied("只有盟级管理员可以设置组织生活要求。")
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": "请选择频次：每月、每季度、每半年或每年。"})
    if not isinstance(min_count, int) or not 1 <= min_count <= MAX_MIN_COUNT:
        raise ValidationError({"min_count": f"每期至少次数应为 1 到 {MAX_MIN_COUNT} 之间的整数。"})
    requirement = MeetingRequirement.objects.select_for_update().filter(kind=kind).first()
    before = snapshot(requirement, AUDIT_FIELDS) if requirement else {}
    if requirement is None:
        requirement = MeetingRequirement(kind=kind)
    requirement.frequency, requirement.min_count, requirement.is_active = frequency, min_count, is_active
    requirement.save()
    changes = diff(before, snapshot(requirement, AUDIT_FIELDS))
    if changes:
        audit_record(actor=actor, action=Action.REQUIREMENT_UPDATE, target=requirement, changes=changes)
    return requirement
