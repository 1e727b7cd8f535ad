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
    ("我的积分", "points:mine", {Role.CADRE}),
    ("排行榜", "points:board", {Role.CADRE, Role.REVIEWER, Role.UNIT_ADMIN, Role.LEAGUE_ADMIN}),
    ("我的学习", "study:index", {Role.CADRE, Role.REVIEWER, Role.UNIT_ADMIN, Role.LEAGUE_ADMIN}),
    ("学习清单", "study:manage", {Role.REVIEWER, Role.UNIT_ADMIN, Role.LEAGUE_ADMIN}),
    ("业务讲堂", "ledger:lecture_list", {Role.CADRE, Role.REVIEWER, Role.UNIT_ADMIN, Role.LEAGUE_ADMIN}),
    ("统计报表", "ledger:reports", {Role.REVIEWER, Role.UNIT_ADMIN, Role.LEAGUE_ADMIN}),
    ("台账类型", "ledger:kind_list", {Role.LEAGUE_ADMIN}),
    ("活动", "campaign:list", {Role.LEAGUE_ADMIN}),
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
            items.append({"label": label, "url": reverse(name), "active": False})
    # the entry whose address is the longest prefix of this page is the active one
    # (/ledger/kinds/ is 台账类型, not 我的台账 at /ledger/)
    matches = [i for i in items if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return {
        "nav_items": items,
        "user_roles": sorted({Role(r).label for r in roles}),
    }
