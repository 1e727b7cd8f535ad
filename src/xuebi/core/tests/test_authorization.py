"""The authorization matrix: every page built so far, for every role (and a user of another
unit), answers allowed or refused, and lists hold exactly the visible objects.

Outside of scope and non-existent look the same (404); a page the role has no business on is 403.
The API has its own matrix in org/tests/test_api.py.
"""

from __future__ import annotations

import pytest

ROLES = [
    "league_admin",
    "abag_admin",
    "abag_reviewer",
    "cadre",
    "xilin_admin",
    "judge",
    "sysadmin",
    "secadmin",
    "auditor",
    "nobody",
]
BUSINESS = {"league_admin", "abag_admin", "abag_reviewer", "cadre", "xilin_admin", "judge"}
ADMINS = {"league_admin", "abag_admin", "xilin_admin"}
ROSTER_READERS = {"league_admin", "abag_admin", "abag_reviewer", "xilin_admin"}
EVERYONE = set(ROLES)

# (url template, roles answered 200, status for everyone else)
PAGES = [
    ("/", EVERYONE, 200),
    ("/org/units/", BUSINESS, 403),
    ("/org/units/{abag}/", {"league_admin", "abag_admin", "abag_reviewer", "cadre", "judge"}, 404),
    ("/org/units/{xilin}/", {"league_admin", "xilin_admin", "judge"}, 404),
    ("/org/units/new/", ADMINS, 403),
    ("/org/units/{abag}/edit/", {"league_admin", "abag_admin"}, 404),
    ("/org/people/", ROSTER_READERS, 403),
    ("/org/people/{bayi}/", {"league_admin", "abag_admin", "abag_reviewer", "cadre"}, 404),
    ("/org/people/{abag_other}/", {"league_admin", "abag_admin", "abag_reviewer"}, 404),
    ("/org/people/{xilin_person}/", {"league_admin", "xilin_admin"}, 404),
    ("/org/people/new/", ADMINS, 403),
    ("/org/people/{bayi}/edit/", {"league_admin", "abag_admin"}, 404),
    ("/org/people/{bayi}/deactivate/", {"league_admin", "abag_admin"}, 404),
    ("/org/people/import/", ADMINS, 403),
    ("/org/people/import/template.xlsx", ADMINS, 403),
    ("/org/people/export.xlsx", ROSTER_READERS, 403),
    ("/accounts/users/", {"sysadmin"}, 403),
    ("/accounts/users/new/", {"sysadmin"}, 403),
    ("/accounts/users/{cadre_user}/password/", {"sysadmin"}, 403),
    ("/accounts/grants/", {"secadmin"}, 403),
    ("/accounts/policy/", {"secadmin", "sysadmin"}, 403),
    ("/audit/", {"auditor"}, 403),
    ("/audit/export.xlsx", {"auditor"}, 403),
    ("/accounts/tokens/", EVERYONE, 200),
    ("/accounts/password/", EVERYONE, 200),
    ("/accounts/2fa/", EVERYONE, 200),
]


def _url(template, org, users):
    return template.format(
        abag=org.abag.pk,
        xilin=org.xilin.pk,
        bayi=org.bayi.pk,
        abag_other=org.abag_other.pk,
        xilin_person=org.xilin_person.pk,
        cadre_user=users.cadre.pk,
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_every_role(role, org, users, client):
    client.force_login(getattr(users, role))
    mismatches = []
    for template, allowed, refused in PAGES:
        expected = 200 if role in allowed else refused
        status = client.get(_url(template, org, users)).status_code
        if status != expected:
            mismatches.append(f"{template}: {status}, expected {expected}")
    assert mismatches == []


def test_signed_out_visitors_are_sent_to_the_login_page(org, users, client):
    for template, _allowed, _refused in PAGES:
        response = client.get(_url(template, org, users))
        assert response.status_code == 302, template
        assert response["Location"].startswith("/accounts/login/"), template


@pytest.mark.parametrize(
    "role, visible, hidden",
    [
        ("league_admin", ["巴依斯古楞", "王芳", "巴图", "李强"], []),
        ("abag_admin", ["巴依斯古楞", "王芳"], ["巴图", "李强"]),
        ("abag_reviewer", ["巴依斯古楞", "王芳"], ["巴图", "李强"]),
        ("xilin_admin", ["巴图"], ["巴依斯古楞", "王芳", "李强"]),
    ],
)
def test_the_roster_lists_exactly_the_people_in_scope(role, visible, hidden, org, users, client):
    client.force_login(getattr(users, role))
    page = client.get("/org/people/").content.decode()
    for name in visible:
        assert name in page
    for name in hidden:
        assert name not in page


@pytest.mark.parametrize(
    "role, visible, hidden",
    [
        ("league_admin", ["锡林郭勒盟委组织部", "阿巴嘎旗委组织部", "锡林浩特市委组织部"], []),
        ("abag_admin", ["阿巴嘎旗委组织部", "组织股"], ["锡林郭勒盟委组织部", "锡林浩特市委组织部", "组织科"]),
        ("cadre", ["阿巴嘎旗委组织部"], ["锡林浩特市委组织部", "组织科"]),
        ("xilin_admin", ["锡林浩特市委组织部"], ["阿巴嘎旗委组织部", "组织科"]),
    ],
)
def test_the_unit_tree_shows_exactly_the_units_in_scope(role, visible, hidden, org, users, client):
    client.force_login(getattr(users, role))
    page = client.get("/org/units/").content.decode()
    for name in visible:
        assert name in page
    for name in hidden:
        assert name not in page


# Not revealable by the user (seen or not) is 404, as for every action looked up by scope (xuebi.testing.scoped).
@pytest.mark.parametrize(
    "role, status",
    [
        ("league_admin", 200),
        ("abag_admin", 200),
        ("abag_reviewer", 404),
        ("cadre", 404),
        ("xilin_admin", 404),
        ("auditor", 404),
    ],
)
def test_revealing_an_id_number_needs_an_admin_role_in_scope(role, status, org, users, client):
    client.force_login(getattr(users, role))
    response = client.post(f"/org/people/{org.bayi.pk}/reveal/id_number/")
    assert response.status_code == status
    if status == 200:
        assert org.bayi.id_number in response.content.decode()


@pytest.mark.parametrize("role", ["abag_reviewer", "cadre", "xilin_admin", "sysadmin"])
def test_writes_outside_the_role_or_scope_change_nothing(role, org, users, client):
    client.force_login(getattr(users, role))
    before = org.bayi.position
    client.post(f"/org/people/{org.bayi.pk}/edit/", {"name": "改名", "unit": org.abag_section.pk, "position": "部长"})
    client.post(f"/org/people/{org.bayi.pk}/deactivate/", {"status": "retired"})
    org.bayi.refresh_from_db()
    assert (org.bayi.name, org.bayi.position, org.bayi.status) == ("巴依斯古楞", before, "active")


def test_separated_roles_see_navigation_without_business_entries(users, client):
    for role, expected, absent in [
        ("sysadmin", "账号管理", "人员花名册"),
        ("secadmin", "角色授权", "组织机构"),
        ("auditor", "操作日志", "人员花名册"),
    ]:
        client.force_login(getattr(users, role))
        page = client.get("/").content.decode()
        assert expected in page and absent not in page


def test_a_league_admins_navigation_folds_into_menus_and_a_cadres_stays_flat(users, client):
    client.force_login(users.league_admin)
    entries = client.get("/ledger/kinds/").context["nav_entries"]
    menus = {e["label"]: [c["label"] for c in e["children"]] for e in entries if "children" in e}
    assert menus == {
        "学习": ["我的学习", "学习清单", "业务讲堂", "考试", "考试管理", "题库", "试卷"],
        "比": ["评比", "组工信息", "我的清单", "单位清单", "考核"],
        "通报": ["排名通报", "年度总结", "数据看板", "统计报表"],
        "管理": ["组织机构", "人员花名册", "开通账号", "光荣在党50年", "台账类型", "活动", "群机器人"],
    }
    assert len(entries) <= 8 and [e for e in entries if e["active"]] == [e for e in entries if e["label"] == "管理"]
    client.force_login(users.cadre)
    entries = client.get("/").context["nav_entries"]
    assert "组织机构" in [e["label"] for e in entries]  # a cadre's lone 管理 entry stays a link


# --- a net under every page, present and future ---------------------------------------------------


def _all_pages():
    """Every page URL of the project, with 1 for integer arguments and "x" for others."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    import re

    for route in walk(get_resolver().url_patterns):
        if route.startswith(("api/", "^")) or "(?P" in route:
            continue
        url = "/" + re.sub(r"<int:\w+>", "1", re.sub(r"<(?:str:|slug:)?\w+>", "x", route))
        yield url


# Pages that are not business data: open to any signed-in account.
NOT_BUSINESS = ("/", "/healthz", "/favicon.ico", "/accounts/", "/audit/")
# One's own messages (the bell): every account has its own, business data or not.
OWN_PAGES = ("/notifications/", "/notifications/unread.json")


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "auditor", "nobody"])
def test_no_business_page_answers_the_three_officers_or_a_roleless_account(role, org, users, client):
    """三员分立: whatever pages are added later, none of them shows business data to these accounts."""
    client.force_login(getattr(users, role))
    pages = list(_all_pages())
    assert {"/ledger/review/", "/ledger/1/", "/study/", "/campaigns/", "/org/people/"} <= set(pages)
    leaks = []
    for url in pages:
        if url == "/" or url in OWN_PAGES or url.startswith(NOT_BUSINESS[1:]):
            continue
        status = client.get(url).status_code
        if status == 200:
            leaks.append(url)
    assert leaks == []


def test_every_page_sends_anonymous_visitors_to_sign_in(client, org):
    open_pages = {"/healthz", "/favicon.ico", "/accounts/login/", "/accounts/login/otp/", "/accounts/logout/"}
    leaks = [url for url in _all_pages() if url not in open_pages and client.get(url).status_code == 200]
    assert leaks == []
