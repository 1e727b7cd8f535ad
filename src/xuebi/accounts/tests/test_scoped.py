"""Every accounts page and API endpoint, for every role (xuebi.testing.scoped).

Accounts are not kept per unit: the 系统管理员 manages all of them and nobody else any (403, also for an account
that does not exist); the 安全管理员 alone grants and revokes roles. Opening accounts from the roster is for the
系统管理员 (the whole roster) and the league and unit admins (the people they may change: another county's person
is not offered). A personal access token is its owner's alone: another user's token looks missing (404)."""

from xuebi.accounts.models import ApiToken
from xuebi.accounts.services.accounts import token_create
from xuebi.org.choices import Role
from xuebi.org.models import Person, RoleGrant, User
from xuebi.org.scoping import has_role
from xuebi.testing.scoped import ROLES, Case, league_wide, scoped_suite

SYSADMIN_ONLY = frozenset(ROLES) - {"sysadmin"}
SECADMIN_ONLY = frozenset(ROLES) - {"secadmin"}
NOT_OPENERS = frozenset(ROLES) - {"sysadmin", "league_admin", "abag_admin", "xilin_admin"}


def setup(ns):
    ns.token = token_create(user=ns.users.cadre, name="巴依斯古楞的令牌")[0]
    ns.grant = RoleGrant.objects.get(user=ns.users.abag_reviewer)


def own_tokens(user, action):
    return ApiToken.objects.filter(user=user)


def openable(user, action):
    """Whom ``user`` may open an account for (accounts.opening): the whole roster, or their 'change' scope."""
    return Person.objects.all() if has_role(user, Role.SYSADMIN) else Person.objects.visible_to(user, "change")


def account(url, **kw):
    kw.setdefault("refused", SYSADMIN_ONLY)
    return Case(url, model=User, obj=lambda ns: ns.users.cadre, scope=league_wide(User), **kw)


CASES = [
    account("accounts:user_list", shows=lambda u: u.username),
    account("accounts:user_detail"),
    account("accounts:user_create"),
    account("/api/v1/accounts", api=True, shows=lambda u: f'"username": "{u.username}"'),
    account("/api/v1/accounts/{pk}", api=True),
    Case(
        "accounts:grant_list",
        model=RoleGrant,
        obj=lambda ns: ns.grant,
        scope=league_wide(RoleGrant),
        shows=lambda g: g.user.username,
        refused=SECADMIN_ONLY,
    ),
    Case(
        "accounts:accounts_open", model=Person, obj=lambda ns: ns.org.abag_other, scope=league_wide(Person), refused=NOT_OPENERS
    ),
    Case(
        "accounts:handover",
        model=Person,
        obj=lambda ns: ns.org.abag_other,
        scope=league_wide(Person),
        extra={"batch": "0123456789abcdef"},
        refused=NOT_OPENERS,
    ),
    # 我的令牌: every signed-in user has the page, and sees only their own tokens
    Case("accounts:tokens", model=ApiToken, obj=lambda ns: ns.token, scope=own_tokens, shows=lambda t: t.name),
    # the preview names the people it would open accounts for: never another county's
    Case(
        "/api/v1/account-openings/preview",
        model=Person,
        obj=lambda ns: ns.org.xilin_person,
        scope=openable,
        api=True,
        method="post",
        data=lambda ns, pk: {"person_ids": [pk]},
        shows=lambda p: p.name,
        refused=NOT_OPENERS,
    ),
]

WRITES = [
    # 账号详情 is also its edit form
    account(
        "accounts:user_detail",
        action="change",
        method="post",
        id="accounts:user_detail[post]",
        data=lambda ns, pk: {"full_name": "巴依斯古楞", "is_active": "on", "person": ns.org.bayi.pk},
        done_by="sysadmin",
    ),
    account("accounts:user_toggle_active", action="change", method="post", done_by="sysadmin"),
    account("accounts:user_unlock", action="change", method="post", done_by="sysadmin"),
    account("accounts:user_password_reset", action="change", method="post"),
    account(
        "/api/v1/accounts/{pk}", api=True, action="change", method="patch", data={"full_name": "巴依斯古楞"}, done_by="sysadmin"
    ),
    account("/api/v1/accounts/{pk}/unlink", api=True, action="change", method="post", done_by="sysadmin"),
    account(
        "/api/v1/accounts/{pk}/link",
        api=True,
        action="change",
        method="post",
        data=lambda ns, pk: {"person_id": ns.org.bayi.pk},
        done_by="sysadmin",
    ),
    Case(
        "accounts:grant_revoke",
        model=RoleGrant,
        obj=lambda ns: ns.grant,
        scope=league_wide(RoleGrant),
        action="change",
        method="post",
        refused=SECADMIN_ONLY,
        done_by="secadmin",
    ),
    Case(
        "accounts:token_revoke",
        model=ApiToken,
        obj=lambda ns: ns.token,
        scope=own_tokens,
        action="change",
        method="post",
        done_by="cadre",
    ),
    # another county's person in the body is refused as a missing one is: 422 找不到… (the field's message)
    Case(
        "/api/v1/account-openings",
        model=Person,
        obj=lambda ns: ns.org.xilin_person,
        scope=openable,
        api=True,
        action="change",
        method="post",
        data=lambda ns, pk: {"person_ids": [pk]},
        refused=NOT_OPENERS,
        hidden=422,
        done_by="xilin_admin",
        done=201,
    ),
]

test_scoped = scoped_suite(CASES, setup)
test_scoped_writes = scoped_suite(WRITES, setup)
