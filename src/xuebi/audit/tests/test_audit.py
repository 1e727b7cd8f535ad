"""The audit log: written for every write that matters, append-only, read only by the auditor."""

from __future__ import annotations

import io

import pytest
from django.db import DatabaseError, connection, transaction
from openpyxl import load_workbook

from xuebi.audit.models import Action, AuditEntry
from xuebi.audit.services import audit_record


def test_a_person_edit_records_who_what_before_and_after_and_where(org, users, client):
    client.force_login(users.abag_admin)
    data = {
        "name": "巴依斯古楞",
        "sex": "M",
        "ethnicity": "蒙古族",
        "id_number": org.bayi.id_number,
        "unit": org.abag_section.pk,
        "position": "副股长",
        "political_status": "member",
        "is_org_cadre": "on",
    }
    response = client.post(f"/org/people/{org.bayi.pk}/edit/", data, REMOTE_ADDR="10.5.5.5")
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=Action.PERSON_UPDATE)
    assert entry.actor == users.abag_admin and entry.ip == "10.5.5.5" and len(entry.request_id) == 32
    assert entry.target_repr == "巴依斯古楞"
    assert entry.changes["position"] == ["", "副股长"]


def test_revealing_an_id_number_is_audited(org, users, client):
    client.force_login(users.abag_admin)
    client.post(f"/org/people/{org.bayi.pk}/reveal/id_number/")
    entry = AuditEntry.objects.get(action=Action.PERSON_REVEAL)
    assert entry.changes == {"field": "身份证号"} and entry.target_id == str(org.bayi.pk)


def test_the_application_refuses_to_change_or_delete_a_row(db):
    entry = audit_record(action=Action.LOGIN)
    entry.action = Action.LOGOUT
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET action = 'auth.logout'",
        "DELETE FROM audit_auditentry",
    ],
)
def test_postgresql_refuses_updates_and_deletes_even_in_raw_sql(db, sql):
    audit_record(action=Action.LOGIN)
    with pytest.raises(DatabaseError, match="只能追加"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.filter(action=Action.LOGIN).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_queryset_update_is_refused_on_postgresql(db):
    audit_record(action=Action.LOGIN)
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            AuditEntry.objects.update(actor_name="someone else")


def _seed(users):
    audit_record(action=Action.LOGIN, actor=users.abag_admin)
    audit_record(action=Action.PERSON_CREATE, actor=users.abag_admin, target_repr="王芳")
    audit_record(action=Action.LOGIN, actor=users.league_admin)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("user=abag", 2),
        ("action=auth.login", 3),  # the auditor's own sign-in is there too
        ("target=王芳", 1),
        ("user=league&action=auth.login", 1),
    ],
)
def test_the_auditor_filters_by_user_object_action(query, expected, users, client):
    _seed(users)
    client.force_login(users.auditor)
    page = client.get(f"/audit/?{query}")
    assert page.status_code == 200
    assert len(page.context["page_obj"].object_list) == expected


def test_the_date_filter_accepts_typed_dates(users, client):
    _seed(users)
    client.force_login(users.auditor)
    assert len(client.get("/audit/?start=2000年1月1日").context["page_obj"].object_list) == 4
    assert len(client.get("/audit/?end=2000.1.1").context["page_obj"].object_list) == 0


def test_the_export_is_a_workbook_and_is_itself_audited(users, client):
    _seed(users)
    client.force_login(users.auditor)
    response = client.get("/audit/export.xlsx?user=abag")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2 and {r[1] for r in rows} == {"abag"}
    assert AuditEntry.objects.filter(action=Action.AUDIT_EXPORT, actor=users.auditor).exists()


@pytest.mark.parametrize("role", ["league_admin", "sysadmin", "secadmin", "abag_admin"])
def test_nobody_but_the_auditor_reads_it(role, users, client):
    client.force_login(getattr(users, role))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.xlsx").status_code == 403


# --- 身份证号 and phone numbers are masked, in the log, on its page and in its export --------------


def _audit_text(client) -> str:
    """What the auditor reads: the log page and every cell of its export."""
    page = client.get("/audit/?action=org.person.update").content.decode()
    sheet = load_workbook(io.BytesIO(client.get("/audit/export.xlsx").content)).active
    cells = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    return page + cells


def test_the_auditor_sees_id_numbers_and_phones_masked_on_the_page_and_in_the_export(org, users, client):
    from xuebi.org.services.people import person_update
    from xuebi.testing.helpers import make_id

    old_id, new_id = org.bayi.id_number, make_id("152522", org.bayi.birth_date, 13)
    person_update(actor=users.abag_admin, person=org.bayi, values={"id_number": new_id, "phone": "13912345678"})
    client.force_login(users.auditor)
    text = _audit_text(client)
    for clear in (old_id, new_id, "13847900011", "13912345678"):
        assert clear not in text
    for masked in (old_id[:6] + "********" + old_id[-4:], new_id[:6] + "********" + new_id[-4:], "138****0011", "139****5678"):
        assert masked in text
    # …and the row itself holds no clear number either.
    changes = AuditEntry.objects.get(action=Action.PERSON_UPDATE).changes
    assert changes["phone"] == ["138****0011", "139****5678"]
    assert new_id not in str(changes) and old_id not in str(changes)


def test_entries_written_before_masking_are_masked_when_shown(users, client):
    # Written the way the log used to keep a phone: in clear (the table is append-only, they stay).
    AuditEntry.objects.create(
        action=Action.PERSON_UPDATE,
        target_repr="王芳 13900000022",
        changes={"phone": ["13900000022", "13700000000"], "note": "身份证 152522198503010221"},
    )
    client.force_login(users.auditor)
    text = _audit_text(client)
    assert "13900000022" not in text and "13700000000" not in text and "152522198503010221" not in text
    assert "139****0022" in text and "137****0000" in text and "152522********0221" in text
