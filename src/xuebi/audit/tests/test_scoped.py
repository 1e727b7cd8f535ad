"""The audit log's pages, for every role (xuebi.testing.scoped): only the 审计管理员 reads the log — not the league
admin, not the other two 三员 (403 for all of them); it has no API."""

from xuebi.audit.models import Action, AuditEntry
from xuebi.audit.services import audit_record
from xuebi.testing.scoped import ROLES, Case, league_wide, scoped_suite

AUDITOR_ONLY = frozenset(ROLES) - {"auditor"}


def setup(ns):
    ns.entry = audit_record(
        action=Action.PERSON_UPDATE,
        target=ns.org.xilin_person,
        actor=ns.users.xilin_admin,
        changes={"phone": ["13900000001", "13900000002"]},
    )


def log(url, **kw):
    return Case(url, model=AuditEntry, obj=lambda ns: ns.entry, scope=league_wide(AuditEntry), refused=AUDITOR_ONLY, **kw)


CASES = [
    log("audit:list", shows=lambda e: e.actor_name),
    log("audit:list", query="target={obj.target_id}", id="audit:list[target]"),
    log("audit:export", query="user={obj.actor_name}"),
]

test_scoped = scoped_suite(CASES, setup)
