"""Personal access tokens expire (XUEBI_TOKEN_MAX_AGE_DAYS, or sooner when asked) and stop opening
the API when the account is disabled or its password has expired — with a 401 that says why."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from xuebi.accounts.models import ApiToken
from xuebi.accounts.services.accounts import password_change, token_create, user_deactivate
from xuebi.audit.models import Action, AuditEntry


def get_me(client, key):
    return client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")


def make_on_page(client, **data):
    return client.post("/accounts/tokens/", {"name": "对接学习平台", **data})


def new_key(response) -> str:
    return response.context["new_key"]


def test_a_token_made_on_the_page_lives_180_days_and_says_so(users, client_for, settings, time_machine):
    settings.XUEBI_PASSWORD_MAX_AGE_DAYS = 0  # only the token's own life is under test here
    client = client_for(users.abag_admin)
    response = make_on_page(client)
    key = new_key(response)
    expires = timezone.localtime(ApiToken.objects.get().expires_at)
    assert expires.date() == timezone.localdate() + dt.timedelta(days=180)
    assert f"{expires:%Y-%m-%d %H:%M}" in response.content.decode()
    time_machine.move_to(timezone.now() + dt.timedelta(days=179))
    assert get_me(client, key).status_code == 200
    time_machine.move_to(timezone.now() + dt.timedelta(days=2))
    response = get_me(client, key)
    assert response.status_code == 401
    assert response.json()["detail"] == (
        f"访问令牌已于{expires.year}年{expires.month}月{expires.day}日 {expires:%H:%M}过期，请在“访问令牌”页面重新生成。"
    )
    client.force_login(users.abag_admin)  # the session itself ended long ago
    assert "已过期" in client.get("/accounts/tokens/").content.decode()


def test_a_token_may_be_made_shorter_but_not_longer(users, client_for, time_machine):
    client = client_for(users.abag_admin)
    key = new_key(make_on_page(client, days="7"))
    assert timezone.localtime(ApiToken.objects.get().expires_at).date() == timezone.localdate() + dt.timedelta(days=7)
    for days, message in (("181", "有效天数最长为180天。"), ("0", "有效天数应为正整数。"), ("一周", "有效天数应为正整数。")):
        response = make_on_page(client, days=days)
        assert response.status_code == 200 and response.context["new_key"] is None
        assert response.context["form"].errors["days"] == [message]
    assert ApiToken.objects.count() == 1
    time_machine.move_to(timezone.now() + dt.timedelta(days=8))
    assert get_me(client, key).status_code == 401


def test_no_limit_means_tokens_made_without_days_never_expire(users, client_for, settings):
    settings.XUEBI_TOKEN_MAX_AGE_DAYS = 0
    client = client_for(users.abag_admin)
    assert "长期有效" in make_on_page(client).content.decode()
    assert ApiToken.objects.get().expires_at is None
    token, _key = token_create(user=users.abag_admin, name="限期", days=400)
    assert timezone.localtime(token.expires_at).date() == timezone.localdate() + dt.timedelta(days=400)


def test_the_token_command_takes_days(users, client, time_machine):
    out = io.StringIO()
    call_command("token", "abag", "--days", "3", stdout=out)
    key = out.getvalue().strip()
    assert get_me(client, key).status_code == 200
    entry = AuditEntry.objects.get(action=Action.TOKEN_CREATE)
    assert entry.changes["expires_at"][1].startswith(f"{timezone.localdate() + dt.timedelta(days=3):%Y-%m-%d}")
    time_machine.move_to(timezone.now() + dt.timedelta(days=3, minutes=1))
    assert get_me(client, key).status_code == 401
    with pytest.raises(CommandError, match="有效天数最长为180天"):
        call_command("token", "abag", "--days", "365", stdout=io.StringIO())
    assert ApiToken.objects.count() == 1


def test_the_token_of_a_disabled_account_is_refused_with_the_reason(users, client):
    _token, key = token_create(user=users.abag_admin, name="脚本")
    user_deactivate(actor=users.sysadmin, user=users.abag_admin)
    ApiToken.objects.update(revoked_at=None)  # even a token the deactivation missed
    response = get_me(client, key)
    assert response.status_code == 401 and response.json()["detail"] == "账号已停用，访问令牌不再有效。"


def test_a_token_stops_while_the_password_is_expired_and_works_again_once_changed(users, client, time_machine):
    _token, key = token_create(user=users.abag_admin, name="脚本")
    time_machine.move_to(timezone.now() + dt.timedelta(days=91))
    response = get_me(client, key)
    assert response.status_code == 401
    assert response.json()["detail"] == "密码已使用超过90天，访问令牌暂停使用；请先在网页上修改密码。"
    users.abag_admin.refresh_from_db()
    password_change(user=users.abag_admin, new_password="Grass#Land2027")
    assert get_me(client, key).status_code == 200


def test_tokens_from_before_expiry_get_the_default_life_from_the_upgrade(users):
    from importlib import import_module

    from django.apps import apps

    eternal, _key = token_create(user=users.abag_admin, name="旧令牌")
    ApiToken.objects.update(expires_at=None)
    import_module("xuebi.accounts.migrations.0003_token_expiry").give_tokens_an_expiry(apps, None)
    eternal.refresh_from_db()
    assert timezone.localtime(eternal.expires_at).date() == timezone.localdate() + dt.timedelta(days=180)
