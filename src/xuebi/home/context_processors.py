"""Navigation by role: each role sees the entries it can use, nothing more."""

from __future__ import annotations

from functools import lru_cache

from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse

from xuebi.org.choices import Role
from xuebi.org.scoping import roles_of

WORK = {Role.CADRE, Role.REVIEWER, Role.UNIT_ADMIN, Role.LEAGUE_ADMIN}
STAFF = {Role.REVIEWER, Role.UNIT_ADMIN, Role.LEAGUE_ADMIN}

# (label, url name, roles that see it — None means any business role, menu it folds into)
NAV = [
    ("首页", "home:home", None, ""),
    ("我的信息", "org:me", {Role.CADRE}, ""),
    ("我的台账", "ledger:mine", WORK, ""),
    ("审核", "ledger:review_queue", STAFF, ""),
    ("我的积分", "points:mine", {Role.CADRE}, ""),
    ("排行榜", "points:board", WORK, ""),
    ("我的学习", "study:index", WORK, "学习"),
    ("学习清单", "study:manage", STAFF, "学习"),
    ("业务讲堂", "ledger:lecture_list", WORK, "学习"),
    ("考试", "exams:mine", WORK, "学习"),
    ("考试管理", "exams:manage_list", {Role.LEAGUE_ADMIN, Role.UNIT_ADMIN}, "学习"),
    ("题库", "exams:bank_list", {Role.LEAGUE_ADMIN, Role.UNIT_ADMIN}, "学习"),
    ("试卷", "exams:paper_list", {Role.LEAGUE_ADMIN, Role.UNIT_ADMIN}, "学习"),
    ("评比", "contests:contest_list", WORK, "比"),
    ("评审任务", "contests:judging_home", {Role.JUDGE}, ""),
    ("组工信息", "orginfo:item_list", WORK, "比"),
    ("我的清单", "checklists:mine", WORK, "比"),
    ("单位清单", "checklists:board", STAFF, "比"),
    ("考核", "assessments:assessment_list", WORK, "比"),
    ("排名通报", "reports:notice_list", {Role.LEAGUE_ADMIN, Role.UNIT_ADMIN}, "通报"),
    ("年度总结", "reports:summary", {Role.LEAGUE_ADMIN, Role.UNIT_ADMIN}, "通报"),
    ("数据看板", "reports:dashboard", STAFF, "通报"),
    ("统计报表", "ledger:reports", STAFF, "通报"),
    ("组织机构", "org:unit_list", {*WORK, Role.JUDGE}, "管理"),
    ("人员花名册", "org:person_list", STAFF, "管理"),
    ("开通账号", "accounts:accounts_open", {Role.LEAGUE_ADMIN, Role.UNIT_ADMIN}, "管理"),
    ("光荣在党50年", "org:medal_list", {Role.LEAGUE_ADMIN, Role.UNIT_ADMIN}, "管理"),
    ("台账类型", "ledger:kind_list", {Role.LEAGUE_ADMIN}, "管理"),
    ("活动", "campaign:list", {Role.LEAGUE_ADMIN}, "管理"),
    ("群机器人", "notifications:webhook_list", {Role.LEAGUE_ADMIN, Role.UNIT_ADMIN}, "管理"),
    ("账号管理", "accounts:user_list", {Role.SYSADMIN}, ""),
    ("角色授权", "accounts:grant_list", {Role.SECADMIN}, ""),
    ("安全策略", "accounts:policy", {Role.SECADMIN, Role.SYSADMIN}, ""),
    ("操作日志", "audit:list", {Role.AUDITOR}, ""),
]


def _fold(items: list[dict]) -> list[dict]:
    """A group of two or more entries becomes one drop-down menu where its first entry stood, so
    a league admin's navigation fits one line; a lone entry of a group stays a plain link."""
    sizes: dict[str, int] = {}
    for item in items:
        sizes[item["group"]] = sizes.get(item["group"], 0) + 1
    entries, menus = [], {}
    for item in items:
        group = item["group"]
        if not group or sizes[group] < 2:
            entries.append(item)
        elif group in menus:
            menus[group]["children"].append(item)
            menus[group]["active"] |= item["active"]
        else:
            menus[group] = {"label": group, "children": [item], "active": item["active"]}
            entries.append(menus[group])
    return entries


@lru_cache(maxsize=64)
def _entries(roles: frozenset, prefix: str) -> tuple[tuple[str, str, str], ...]:
    """(label, address, menu) of the entries a set of roles sees — the same for every request of
    such a user, so the addresses are reversed once per process (``prefix``: the script prefix
    they start with)."""
    return tuple((label, reverse(name), group) for label, name, allowed, group in NAV if allowed is None or roles & allowed)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_of(user)
    items = [
        {"label": label, "url": url, "active": False, "group": group}
        for label, url, group in _entries(frozenset(roles), get_script_prefix())
    ]
    # the entry whose address is the longest prefix of this page is the active one
    # (/ledger/kinds/ is 台账类型, not 我的台账 at /ledger/)
    matches = [i for i in items if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))]
    active = max(matches, key=lambda i: len(i["url"]))["url"] if matches else None
    for item in items:
        item["active"] = item["url"] == active
    entries = _fold(items)
    return {
        "nav_entries": entries,
        "nav_html": _nav_html(frozenset(roles), get_script_prefix(), active),
        "user_roles": sorted({Role(r).label for r in roles}),
    }


@lru_cache(maxsize=512)
def _nav_html(roles: frozenset, prefix: str, active: str | None) -> str:
    """The navigation's entries as HTML — the same for every request of a set of roles on the same
    entry, so rendered once per process, not on every page (it was most of a cached page's
    rendering)."""
    items = [
        {"label": label, "url": url, "active": url == active, "group": group} for label, url, group in _entries(roles, prefix)
    ]
    return render_to_string("home/_nav.html", {"nav_entries": _fold(items)})
