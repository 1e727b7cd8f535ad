"""Behind a reverse proxy: the client's address is the one our proxy saw, never what the client wrote.

The proxy (10.0.0.1 here) appends the address of whoever connected to it to X-Forwarded-For, so the
right-most entry is trustworthy and anything to its left is the client's own text.
"""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from xuebi.audit.models import Action, AuditEntry
from xuebi.core.middleware import client_ip
from xuebi.testing.helpers import PASSWORD

LOGIN = "/accounts/login/"
PROXY = "10.0.0.1"


@pytest.fixture
def proxied(settings):
    settings.XUEBI_BEHIND_PROXY = True
    settings.XUEBI_TRUSTED_PROXIES = 1
    return settings


def through_proxy(client, username, *, seen: str, spoofed: str = "", password=PASSWORD):
    """A login as the proxy forwards it: the client wrote `spoofed`, the proxy saw `seen`."""
    forwarded = f"{spoofed}, {seen}" if spoofed else seen
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def _request(forwarded: str | None, peer: str = PROXY):
    meta = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("forwarded", "proxies", "expected"),
    [
        ("203.0.113.5", 1, "203.0.113.5"),  # what our proxy saw
        ("8.8.8.8, 203.0.113.5", 1, "203.0.113.5"),  # the client's own entry is ignored
        ("8.8.8.8, 203.0.113.5, 10.0.0.2", 2, "203.0.113.5"),  # two proxies of ours
        ("203.0.113.5", 2, PROXY),  # shorter than the chain: not through our proxies
        ("not-an-address", 1, PROXY),  # garbage is never recorded as an address
        (None, 1, PROXY),  # no header: the peer
        ("2001:db8::1", 1, "2001:db8::1"),
    ],
)
def test_the_client_address_is_read_from_the_right(proxied, forwarded, proxies, expected):
    proxied.XUEBI_TRUSTED_PROXIES = proxies
    assert client_ip(_request(forwarded)) == expected


def test_without_a_proxy_the_header_is_not_believed(settings):
    settings.XUEBI_BEHIND_PROXY = False
    assert client_ip(_request("8.8.8.8", peer="192.0.2.9")) == "192.0.2.9"


def test_a_login_is_audited_from_the_address_the_proxy_saw_not_the_one_the_client_claims(proxied, users, client):
    assert through_proxy(client, "abag", seen="203.0.113.5", spoofed="8.8.8.8").status_code == 302
    entry = AuditEntry.objects.get(action=Action.LOGIN)
    assert entry.ip == "203.0.113.5"


def test_failures_through_the_proxy_lock_that_client_only(proxied, users, client):
    for name in ["league", "abag", "cadre", "judge", "reviewer"]:
        through_proxy(client, name, seen="203.0.113.5", password="Wrong@2021")
    # The attacker's address is locked, whatever it now claims to be …
    assert through_proxy(client, "xilin", seen="203.0.113.5", spoofed="198.51.100.7").status_code == 403
    # … and everyone else behind the same proxy still signs in.
    assert through_proxy(client, "xilin", seen="198.51.100.7").status_code == 302
    locked = AuditEntry.objects.filter(action=Action.LOGIN_FAILED).values_list("ip", flat=True)
    assert set(locked) == {"203.0.113.5"}
