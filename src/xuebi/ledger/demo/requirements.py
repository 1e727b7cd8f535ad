"""Demo meeting requirements: the 支部工作条例 defaults for the meeting kinds the demo has."""

from __future__ import annotations

from ..choices import Frequency
from ..models import MeetingRequirement, RecordKind

__all__ = ["DEMO_REQUIREMENTS", "load_demo_requirements"]

# 支部工作条例 practice (DOMAIN.md "组织生活 frequencies"): kind code → frequency.
DEMO_REQUIREMENTS = [
    ("branch_congress", Frequency.QUARTER),  # 支部党员大会
    ("branch_committee", Frequency.MONTH),  # 支委会
    ("party_group_meeting", Frequency.MONTH),  # 党小组会
    ("party_lecture", Frequency.QUARTER),  # 党课
    ("theme_day", Frequency.MONTH),  # 主题党日
]


def load_demo_requirements() -> int:
    """The default requirements for the meeting kinds that exist. Idempotent: a requirement
    already there (perhaps changed by an admin) is left as it is. Returns how many were created."""
    kinds = {k.code: k for k in RecordKind.objects.filter(code__in=[code for code, _ in DEMO_REQUIREMENTS])}
    existing = set(MeetingRequirement.objects.filter(kind__in=kinds.values()).values_list("kind__code", flat=True))
    created = 0
    for code, frequency in DEMO_REQUIREMENTS:
        if code in kinds and code not in existing:
            MeetingRequirement.objects.create(kind=kinds[code], frequency=frequency, min_count=1, is_active=True)
            created += 1
    return created
