"""Accounts for the roster (issue 13): linking, the derived cadre role, leavers, bulk opening."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xuebi.accounts.services import accounts as services
from xuebi.accounts.services import opening
from xuebi.audit.models import Action, AuditEntry
from xuebi.org.services import people as org_services
from xuebi.org.choices import PersonStatus, Role
from xuebi.org.models import Person, User
from xuebi.org.scoping import forget_grants, grants_of, has_role
from xuebi.testing.helpers import add_person, make_user

pytestmark = pytest.mark.django_db


def _sessions_of(user) -> int:
    from django.contrib.sessions.models import Session

    return sum(1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk))


def _fresh(user):
    user = User.objects.get(pk=user.pk)
    forget_grants(user)
    return user


# --- link / unlink ------------------------------------------------------------------------


def test_link_and_unlink_are_audited(users, org):
    account = make_user("wangfang", None, None, "x")
    services.user_link_person(actor=users.sysadmin, user=account, person=org.abag_other)
    assert User.objects.get(pk=account.pk).person == org.abag_other
    services.user_unlink_person(actor=users.sysadmin, user=account)
    assert User.objects.get(pk=account.pk).person is None
    entries = AuditEntry.objects.filter(target_id=str(account.pk), action__in=[Action.USER_LINK, Action.USER_UNLINK]).order_by(
        "pk"
    )
    assert [(e.action, e.changes["person"]) for e in entries] == [
        (Action.USER_LINK, ["", "王芳（组织股）"]),
        (Action.USER_UNLINK, ["王芳（组织股）", ""]),
    ]
    assert entries[0].actor == users.sysadmin


def test_one_account_per_person(users, org):
    account = make_user("other", None, None, "x")
    with pytest.raises(ValidationError, match="已有账号 cadre"):
        services.user_link_person(actor=users.sysadmin, user=account, person=org.bayi)
    assert User.objects.get(pk=account.pk).person is None


def test_only_the_sysadmin_links(users, org):
    account = make_user("other", None, None, "x")
    for actor in (users.secadmin, users.league_admin, users.abag_admin):
        with pytest.raises(PermissionDenied):
            services.user_link_person(actor=actor, user=account, person=org.abag_other)


def test_separated_accounts_hold_no_person(users, org):
    with pytest.raises(ValidationError, match="三员分立"):
        services.user_link_person(actor=users.sysadmin, user=users.auditor, person=org.abag_other)
    linked = make_user("linked", None, None, "x", person=org.abag_other)
    for role in (Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR):
        with pytest.raises(ValidationError, match="三员分立"):
            services.role_grant(actor=users.secadmin, user=linked, role=role)
    assert not linked.role_grants.exists()


def test_edit_account_name_active_and_person_at_once(users, org):
    account = make_user("wf", None, None, "x")
    services.user_edit(actor=users.sysadmin, user=account, full_name="王芳", is_active=False, person=org.abag_other)
    account.refresh_from_db()
    assert (account.full_name, account.is_active, account.person_id) == ("王芳", False, org.abag_other.pk)


def test_edit_is_all_or_nothing(users, org):
    account = make_user("wf", None, None, "x")
    with pytest.raises(ValidationError):
        # the name would change, but the person already has an account: nothing is saved
        services.user_edit(actor=users.sysadmin, user=account, full_name="新名字", is_active=True, person=org.bayi)
    account.refresh_from_db()
    assert account.full_name == "wf" and account.person_id is None


# --- the derived cadre role ---------------------------------------------------------------


def test_linked_org_cadre_is_a_cadre_of_their_unit_in_one_query(org, django_assert_num_queries):
    account = make_user("wangfang", None, None, "x", person=org.abag_other)
    account = _fresh(account)
    with django_assert_num_queries(1):
        assert grants_of(account) == [(Role.CADRE, org.abag_section.path, org.abag_section.pk)]
    assert Person.objects.visible_to(account).filter(pk=org.abag_other.pk).exists()
    # a cadre picks colleagues of their unit, not of another county
    pick = Person.objects.visible_to(account, "pick")
    assert pick.filter(pk=org.bayi.pk).exists() and not pick.filter(pk=org.xilin_person.pk).exists()


def test_derived_role_follows_a_move_and_ends_with_leaving(users, org):
    account = make_user("wangfang", None, None, "x", person=org.abag_other)
    org_services.person_update(actor=users.league_admin, person=org.abag_other, values={"unit": org.xilin_section})
    moved = _fresh(account)
    assert grants_of(moved) == [(Role.CADRE, org.xilin_section.path, org.xilin_section.pk)]
    assert moved.is_active  # a move keeps the account
    Person.objects.filter(pk=org.abag_other.pk).update(is_org_cadre=False)
    assert grants_of(_fresh(account)) == []


def test_explicit_and_derived_cadre_grants_coexist(users, org):
    # the fixture's cadre has a grant on the county and is linked to a person of its section
    cadre = _fresh(users.cadre)
    assert sorted(grants_of(cadre)) == sorted(
        [
            (Role.CADRE, org.abag.path, org.abag.pk),
            (Role.CADRE, org.abag_section.path, org.abag_section.pk),
        ]
    )
    assert has_role(cadre, Role.CADRE)


def test_grant_list_shows_derived_roles_as_not_revocable(users, org, client_for):
    make_user("wangfang", None, None, "x", person=org.abag_other)
    page = client_for(users.secadmin).get("/accounts/grants/").content.decode()
    assert "wangfang" in page and "由花名册自动获得" in page


# --- leavers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status,reason", [(PersonStatus.TRANSFERRED, "调离"), (PersonStatus.RETIRED, "退休"), (PersonStatus.DECEASED, "去世")]
)
def test_a_leaver_is_disabled_with_the_reason(users, org, status, reason, client):
    cadre = users.cadre
    services.token_create(user=cadre, name="手机")
    client.force_login(cadre)
    assert _sessions_of(cadre) == 1
    org_services.person_deactivate(actor=users.abag_admin, person=org.bayi, status=status)
    cadre.refresh_from_db()
    assert not cadre.is_active
    assert not cadre.api_tokens.unrevoked().exists()
    assert _sessions_of(cadre) == 0
    entry = AuditEntry.objects.filter(action=Action.USER_DEACTIVATE, target_id=str(cadre.pk)).get()
    assert entry.actor == users.abag_admin and entry.changes["reason"] == reason
    response = client.post("/accounts/login/", {"username": "cadre", "password": "Xuebi@2021"})
    assert "该账号已停用" in response.content.decode() or "用户名或密码不正确" in response.content.decode()


def test_a_leavers_account_is_not_enabled_again_while_linked(users, org, client_for, api):
    org_services.person_deactivate(actor=users.abag_admin, person=org.bayi, status=PersonStatus.RETIRED)
    with pytest.raises(ValidationError, match="已退休，其账号不能启用"):
        services.user_edit(actor=users.sysadmin, user=_fresh(users.cadre), is_active=True)
    page = client_for(users.sysadmin).post(
        f"/accounts/users/{users.cadre.pk}/", {"full_name": users.cadre.full_name, "is_active": "on", "person": org.bayi.pk}
    )
    assert page.status_code == 200 and "其账号不能启用" in page.content.decode()
    response = api.patch(users.sysadmin, f"/accounts/{users.cadre.pk}", {"is_active": True})
    assert response.status_code == 422 and "其账号不能启用" in response.json()["detail"][0]["msg"]
    assert not User.objects.get(pk=users.cadre.pk).is_active
    # Unlinked in the same save, the account is the sysadmin's to enable (audited as both).
    services.user_edit(actor=users.sysadmin, user=_fresh(users.cadre), is_active=True, person=None)
    cadre = User.objects.get(pk=users.cadre.pk)
    assert cadre.is_active and cadre.person_id is None


def test_a_leaver_without_account_is_fine(users, org):
    org_services.person_deactivate(actor=users.abag_admin, person=org.abag_other, status=PersonStatus.RETIRED)
    assert not AuditEntry.objects.filter(action=Action.USER_DEACTIVATE).exists()


# --- opening accounts in bulk ---------------------------------------------------------------


@pytest.fixture
def section(org):
    """阿巴嘎旗 组织股 with two 王芳 more, a 王芳 who retired, and an existing account wangfang2."""
    org.wang2 = add_person(org.abag_section, "王芳", 61)
    org.wang3 = add_person(org.abag_section, "王芳", 62)
    org.retired = add_person(org.abag_section, "张伟", 63, status=PersonStatus.RETIRED)
    make_user("wangfang2", None, None, "x")
    return org


def test_preview_names_and_skips(users, section):
    plan = opening.accounts_open_preview(actor=users.sysadmin, unit=section.abag)
    names = [(a.name, a.username) for a in plan.accounts]
    # wangfang is free, wangfang2 is taken by an existing account, so the batch goes on at 3
    assert names == [("王芳", "wangfang"), ("王芳", "wangfang3"), ("王芳", "wangfang4")]
    assert {(s.name, s.reason) for s in plan.skipped} == {("巴依斯古楞", "已有账号 cadre"), ("张伟", "已退休")}
    assert plan.accounts[0].unit == "阿巴嘎旗委组织部 组织股"
    only_new = opening.accounts_open_preview(actor=users.sysadmin, unit=section.abag, without_account_only=True)
    assert [s.name for s in only_new.skipped] == ["张伟"]


def test_username_style_is_configurable(settings):
    assert opening.username_base("巴依斯古楞") == "bayisiguleng"
    settings.XUEBI_USERNAME_STYLE = "surname_initials"
    assert opening.username_base("巴依斯古楞") == "baysgl"
    assert opening.username_base("王芳") == "wangf"


def test_open_creates_what_the_preview_showed(users, section, client):
    plan = opening.accounts_open_preview(actor=users.sysadmin, unit=section.abag_section)
    opened = opening.accounts_open(actor=users.sysadmin, person_ids=[a.person_id for a in plan.accounts], expected=plan.usernames)
    assert [o.username for o in opened] == [a.username for a in plan.accounts]
    for o, a in zip(opened, plan.accounts):
        user = User.objects.get(username=o.username)
        assert user.person_id == a.person_id and user.full_name == a.name
        assert user.must_change_password and not user.is_demo and user.is_active
        assert user.check_password(o.password)
        assert not set("0O1lIo") & set(o.password)
    creates = AuditEntry.objects.filter(action=Action.USER_CREATE)
    assert creates.count() == 3 and all(e.actor == users.sysadmin for e in creates)
    batch = AuditEntry.objects.get(action=Action.ACCOUNTS_OPEN)
    assert batch.changes["count"] == 3
    assert not any(o.password in str(e.changes) for e in AuditEntry.objects.all() for o in opened)
    # the derived role: each new account is a cadre of its person's unit, no grant needed
    new = _fresh(User.objects.get(username="wangfang"))
    assert grants_of(new) == [(Role.CADRE, section.abag_section.path, section.abag_section.pk)]


def test_open_is_one_transaction(users, section, monkeypatch):
    plan = opening.accounts_open_preview(actor=users.sysadmin, unit=section.abag_section)

    def fail(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(opening, "audit_record_many", fail)
    with pytest.raises(RuntimeError):
        opening.accounts_open(actor=users.sysadmin, person_ids=[a.person_id for a in plan.accounts])
    assert not User.objects.filter(username__startswith="wangfang").exclude(username="wangfang2").exists()


def test_open_refuses_when_things_changed_since_the_preview(users, section):
    plan = opening.accounts_open_preview(actor=users.sysadmin, unit=section.abag_section)
    make_user("wangfang", None, None, "x")  # someone took the name meanwhile
    with pytest.raises(ValidationError, match="重新预览"):
        opening.accounts_open(actor=users.sysadmin, person_ids=[a.person_id for a in plan.accounts], expected=plan.usernames)
    assert User.objects.filter(person__isnull=False).count() == 1  # only the fixture's cadre


def test_open_refuses_people_with_accounts_or_not_active(users, section):
    with pytest.raises(ValidationError) as exc:
        opening.accounts_open(actor=users.sysadmin, person_ids=[section.bayi.pk, section.retired.pk, section.wang2.pk])
    text = " ".join(exc.value.messages)
    assert "巴依斯古楞" in text and "张伟" in text
    assert not User.objects.filter(person=section.wang2).exists()


def test_only_the_sysadmin_and_the_admins_open(users, section):
    for actor in (users.secadmin, users.auditor, users.abag_reviewer, users.cadre, users.judge):
        with pytest.raises(PermissionDenied):
            opening.accounts_open_preview(actor=actor, unit=section.abag)
        with pytest.raises(PermissionDenied):
            opening.accounts_open(actor=actor, person_ids=[section.wang2.pk])


def test_a_county_admin_opens_accounts_for_the_cadres_of_their_own_roster(users, section):
    section.wang3.is_org_cadre = False
    section.wang3.save()
    plan = opening.accounts_open_preview(actor=users.abag_admin, unit=section.abag, without_account_only=True)
    assert [a.name for a in plan.accounts] == ["王芳", "王芳"]
    assert ("王芳", "不是组工干部，需由系统管理员开通") in {(s.name, s.reason) for s in plan.skipped}
    opened = opening.accounts_open(
        actor=users.abag_admin, person_ids=[a.person_id for a in plan.accounts], expected=plan.usernames
    )
    assert len(opened) == 2
    account = User.objects.get(username=opened[0].username)
    # no grant is handed out: the only role is the cadre role the roster entry gives, in the person's unit
    assert not account.role_grants.exists()
    assert has_role(account, Role.CADRE) and not has_role(account, Role.UNIT_ADMIN, Role.REVIEWER)
    assert AuditEntry.objects.filter(action=Action.ACCOUNTS_OPEN, actor=users.abag_admin).exists()


def test_an_admin_cannot_open_accounts_outside_their_roster(users, section):
    # 锡林浩特 is another county: its people are "not found" to the 阿巴嘎旗 admin, as a missing id would be
    with pytest.raises(ValidationError, match="找不到编号"):
        opening.accounts_open(actor=users.abag_admin, person_ids=[section.xilin_person.pk])
    assert not opening.accounts_open_preview(actor=users.abag_admin, unit=section.xilin).accounts
    assert section.xilin not in opening.opening_units(users.abag_admin)
    assert not User.objects.filter(person=section.xilin_person).exists()
    # a non-组工干部 stays the 系统管理员's to open, even if ticked
    section.wang2.is_org_cadre = False
    section.wang2.save()
    with pytest.raises(ValidationError, match="不是组工干部"):
        opening.accounts_open(actor=users.abag_admin, person_ids=[section.wang2.pk])


def test_open_two_hundred_in_bounded_queries(users, org, django_assert_max_num_queries):
    from xuebi.core import pinyin

    people = [Person(unit=org.xilin_section, name=name, sex="M") for name in ["张伟", "李娜", "王磊", "刘洋"] * 50]
    for p in people:  # what Person.save() fills in; bulk_create does not call it
        p.name_pinyin, p.name_initials = pinyin.full(p.name), pinyin.initials(p.name)
    Person.objects.bulk_create(people)
    with django_assert_max_num_queries(8):
        plan = opening.accounts_open_preview(actor=users.sysadmin, unit=org.xilin_section)
    assert len(plan.accounts) == 201  # and 巴图 of the fixture
    assert {a.username for a in plan.accounts} >= {"zhangwei", "zhangwei2", "zhangwei50", "liuyang50"}
    with django_assert_max_num_queries(25):
        opened = opening.accounts_open(
            actor=users.sysadmin, person_ids=[a.person_id for a in plan.accounts], expected=plan.usernames
        )
    assert len(opened) == 201 == User.objects.filter(person__unit=org.xilin_section).count()


def test_initial_passwords_pass_the_validators():
    from django.contrib.auth import password_validation

    for _ in range(50):
        word = opening.initial_password("wangfang")
        password_validation.validate_password(word, User(username="wangfang"))
        assert len(word) == 11 and word[5] == "-"


def test_a_username_taken_at_the_last_moment_is_refused_cleanly(users, section, monkeypatch):
    plan = opening.accounts_open_preview(actor=users.sysadmin, unit=section.abag_section)
    real_plan = opening._plan
    calls = []

    def plan_then_race(rows, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            # inside the transaction, after the re-plan: another batch has just inserted wangfang
            fresh = real_plan(rows, **kwargs)
            make_user("wangfang", None, None, "x")
            return fresh
        return real_plan(rows, **kwargs)

    monkeypatch.setattr(opening, "_plan", plan_then_race)
    with pytest.raises(ValidationError, match="重新预览"):
        opening.accounts_open(actor=users.sysadmin, person_ids=[a.person_id for a in plan.accounts])
    assert not User.objects.filter(person=section.wang2).exists()
