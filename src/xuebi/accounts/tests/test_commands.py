"""The operator's commands: bootstrapping administrators."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from xuebi.audit.models import Action, AuditEntry
from xuebi.org.models import User


def test_createadmin_bootstraps_a_separated_role_that_must_change_its_password(db, monkeypatch, capsys):
    monkeypatch.setenv("XUEBI_ADMIN_PASSWORD", "Steppe#2026")
    call_command("createadmin", "ops", role="sysadmin", name="运维")
    user = User.objects.get(username="ops")
    assert user.check_password("Steppe#2026") and user.must_change_password
    assert list(user.role_grants.values_list("role", "unit")) == [("sysadmin", None)]
    assert AuditEntry.objects.filter(action=Action.ROLE_GRANT, target_id=str(user.pk)).exists()
    assert "首次登录须修改密码" in capsys.readouterr().out


def test_createadmin_puts_a_league_admin_on_the_top_unit(org, monkeypatch):
    monkeypatch.setenv("XUEBI_ADMIN_PASSWORD", "Steppe#2026")
    call_command("createadmin", "zzb", role="league_admin")
    assert User.objects.get(username="zzb").role_grants.get().unit == org.league


def test_createadmin_refuses_a_weak_password_and_creates_nothing(db, monkeypatch):
    monkeypatch.setenv("XUEBI_ADMIN_PASSWORD", "password")
    with pytest.raises(CommandError, match="至少3类"):
        call_command("createadmin", "ops", role="auditor")
    assert not User.objects.filter(username="ops").exists()
