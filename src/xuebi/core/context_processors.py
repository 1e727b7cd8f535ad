"""Navigation by role: each role sees the entries it can use, nothing more."""
from __future__ import annotations

from django.urls import reverse

from xuebi.org.choices import Role
from xuebi.org.scoping import roles_of

# (label, url name, roles that see it — empty means any business role)
NAV = [
    ("首页", "core:home", None),
    ("组织机构", "org:unit_list", {Role.LEAGUE_ADMIN, Role.UNIT_ADMIN, Role.REVIEWER, Role.CADRE, Role.JUDGE}),
    ("人员花名册", "org:person_list", {Role.LEAGUE_ADMIN, Role.UNIT_ADMIN, Role.REVIEWER}),
    ("我的信息", "org:me", {Role.CADRE}),
    ("我的台账", "ledger:mine", {Role.CADRE, Role.REVIEWER, Role.UNIT_ADMIN, Role.LEAGUE_ADMIN}),
    ("审核", "ledger:review_queue", {Role.REVIEWER, Role.UNIT_ADMIN, Role.LEAGUE_ADMIN}),
    ("账号管理", "accounts:user_list", {Role.SYSADMIN}),
    ("角色授权", "accounts:grant_list", {Role.SECADMIN}),
    ("安全策略", "accounts:policy", {Role.SECADMIN, Role.SYSADMIN}),
    ("操作日志", "audit:list", {Role.AUDITOR}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_of(user)
    items = []
    for label, name, allowed in NAV:
        if allowed is None or roles & allowed:
            url = reverse(name)
            active = request.path == url if name == "core:home" else request.path.startswith(url)
            items.append({"label": label, "url": url, "active": active})
    return {
        "nav_items": items,
        "user_roles": sorted({Role(r).label for r in roles}),
    }
