"""What every signed-in request pays: with a shared cache (Redis, XUEBI_SHARED_CACHE) the session
and the user are read from it, not from the database — and the account policy holds as before:
a disabled account, a reset password, an idle session (test_login) are put out on the very next request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from xuebi.accounts.services import accounts as services
from xuebi.conftest import PASSWORD

LOGIN = "/accounts/login/"


@pytest.fixture
def shared(settings):
    """The settings XUEBI_REDIS_URL gives (the test process's own cache stands in for Redis)."""
    settings.XUEBI_SHARED_CACHE = True
    settings.SESSION_ENGINE = "xuebi.accounts.sessions"
    return settings


def signed_in(username: str) -> Client:
    client = Client()
    assert client.post(LOGIN, {"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_a_signed_in_request_reads_neither_session_nor_user_from_the_database(users, shared):
    client = signed_in("abag")
    client.get("/healthz")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/healthz").status_code == 200
    assert [q["sql"] for q in queries.captured_queries] == []


def test_a_disabled_account_is_put_out_on_its_next_request(users, shared):
    client = signed_in("abag")
    assert client.get("/").status_code == 200
    services.user_deactivate(actor=users.sysadmin, user=users.abag_admin)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_reset_password_puts_the_holder_out(users, shared):
    client = signed_in("abag")
    assert client.get("/").status_code == 200
    services.user_password_reset(actor=users.sysadmin, user=users.abag_admin, password="Reset@2026x")
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_signed_in_page_reads_the_grants_once_not_on_every_request(users, shared):
    client = signed_in("abag")
    client.get("/points/board/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/points/board/").status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "org_rolegrant" in q["sql"]]


def test_a_revoked_role_is_gone_on_the_next_request(users, shared):
    client = signed_in("abag")
    assert client.get("/points/board/").status_code == 200
    grant = users.abag_admin.role_grants.get()
    services.role_revoke(actor=users.secadmin, grant=grant)
    assert client.get("/points/board/").status_code == 403


def test_a_new_role_counts_on_the_next_request(users, shared, org):
    client = signed_in("judge")
    assert client.get("/points/board/").status_code == 403
    services.role_grant(actor=users.secadmin, user=users.judge, role="unit_admin", unit=org.abag)
    assert client.get("/points/board/").status_code == 200


def test_a_cadre_who_leaves_the_roster_loses_the_derived_role_at_once(users, shared, org):
    """The cadre role a linked 组工干部 holds without a grant follows the person's row."""
    from xuebi.org.models import User

    user = User.objects.get(username="cadre")
    user.role_grants.all().delete()  # the derived role alone
    org.bayi.is_org_cadre = True
    org.bayi.save()
    client = signed_in("cadre")
    assert client.get("/points/board/").status_code == 200
    org.bayi.is_org_cadre = False
    org.bayi.save()
    assert client.get("/points/board/").status_code == 403
