"""Units and people through the pages: create, edit, move, deactivate, search."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xuebi.org.models import Person, Unit, UnitMembership
from xuebi.testing.helpers import add_person, make_id

GOOD_ID = make_id("152522", __import__("datetime").date(1990, 5, 4), 17)  # a man born 1990-05-04


def person_form(unit, **overrides):
    data = {
        "name": "苏和",
        "sex": "",
        "ethnicity": "蒙古族",
        "birth_date": "",
        "id_number": GOOD_ID,
        "phone": "13912345678",
        "unit": unit.pk,
        "position": "科员",
        "rank": "一级科员",
        "education": "bachelor",
        "political_status": "member",
        "joined_party_date": "2012年7月1日",
        "full_member_date": "2013.7.1",
        "work_start_date": "2012年8月",
        "is_org_cadre": "on",
    }
    data.update(overrides)
    return data


def test_creating_a_person_fills_birth_date_and_sex_from_the_id_and_keeps_precision(org, users, client):
    client.force_login(users.abag_admin)
    response = client.post("/org/people/new/", person_form(org.abag_section))
    assert response.status_code == 302
    person = Person.objects.get(name="苏和")
    assert (person.sex, str(person.birth_date)) == ("M", "1990-05-04")
    assert person.date_display("work_start_date") == "2012年8月"
    assert person.id_number == GOOD_ID and person.id_number_masked == "152522********" + GOOD_ID[-4:]
    assert UnitMembership.objects.filter(person=person, unit=org.abag_section, end_date__isnull=True).exists()


def test_the_id_number_is_stored_encrypted(org, users, client):
    client.force_login(users.abag_admin)
    client.post("/org/people/new/", person_form(org.abag_section))
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM org_person WHERE name = %s", ["苏和"])
        row = " ".join(str(v) for v in cursor.fetchone())
    assert GOOD_ID not in row


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"id_number": GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1")}, "id_number", "身份证号校验码不正确"),
        ({"id_number": "15252219900504"}, "id_number", "18位"),
        ({"birth_date": "1991-05-04"}, "birth_date", "出生日期与身份证号不一致"),
        ({"sex": "F"}, "sex", "性别与身份证号不一致"),
        ({"phone": "12345"}, "phone", "手机号码应为11位"),
        ({"joined_party_date": "2099-01-01"}, "joined_party_date", "不能晚于今天"),
        ({"full_member_date": "2011-01-01"}, "full_member_date", "转正日期不能早于入党日期"),
        ({"work_start_date": "明年"}, "work_start_date", "无法识别的日期"),
        ({"name": "  "}, "name", ""),
    ],
)
def test_bad_input_names_the_field_in_chinese_and_saves_nothing(overrides, field, message, org, users, client):
    client.force_login(users.abag_admin)
    before = Person.objects.count()
    response = client.post("/org/people/new/", person_form(org.abag_section, **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert f'data-field="{field}"' in response.content.decode()
    assert Person.objects.count() == before


def test_a_duplicate_id_number_is_refused(org, users, client):
    client.force_login(users.abag_admin)
    response = client.post("/org/people/new/", person_form(org.abag_section, id_number=org.abag_other.id_number))
    assert "已登记" in " ".join(response.context["form"].errors["id_number"])


def test_a_unit_admin_cannot_put_a_person_into_another_county(org, users, client):
    client.force_login(users.abag_admin)
    response = client.post("/org/people/new/", person_form(org.xilin_section))
    assert "unit" in response.context["form"].errors
    assert not Person.objects.filter(name="苏和").exists()


def test_moving_a_person_keeps_their_unit_history(org, users, client):
    client.force_login(users.league_admin)
    data = person_form(
        org.xilin_section,
        name="巴依斯古楞",
        id_number=org.bayi.id_number,
        phone="13847900011",
        joined_party_date="",
        full_member_date="",
        work_start_date="",
    )
    assert client.post(f"/org/people/{org.bayi.pk}/edit/", data).status_code == 302
    history = list(UnitMembership.objects.filter(person=org.bayi).order_by("start_date").values_list("unit__name", "end_date"))
    assert history[0][0] == "组织股" and history[0][1] is not None
    assert (
        history[-1] == ("组织股", None)
        and UnitMembership.objects.get(person=org.bayi, end_date__isnull=True).unit == org.xilin_section
    )
    # The abag admin no longer sees the person who moved away.
    client.force_login(users.abag_admin)
    assert client.get(f"/org/people/{org.bayi.pk}/").status_code == 404


def test_deactivating_a_person_closes_their_membership(org, users, client):
    client.force_login(users.abag_admin)
    client.post(f"/org/people/{org.abag_other.pk}/deactivate/", {"status": "retired"})
    org.abag_other.refresh_from_db()
    assert org.abag_other.status == "retired"
    assert not UnitMembership.objects.filter(person=org.abag_other, end_date__isnull=True).exists()


def test_creating_a_sub_unit_and_refusing_a_duplicate_name(org, users, client):
    client.force_login(users.abag_admin)
    response = client.post(
        "/org/units/new/", {"parent": org.abag.pk, "name": "干部股", "kind": "section", "short_name": "", "code": ""}
    )
    assert response.status_code == 302
    assert Unit.objects.get(name="干部股").path.startswith(org.abag.path)
    response = client.post(
        "/org/units/new/", {"parent": org.abag.pk, "name": "干部股", "kind": "section", "short_name": "", "code": ""}
    )
    assert "已有名为" in " ".join(response.context["form"].errors["name"])


def test_a_unit_admin_cannot_create_under_another_county(org, users, client):
    client.force_login(users.abag_admin)
    response = client.post(
        "/org/units/new/", {"parent": org.xilin.pk, "name": "新股", "kind": "section", "short_name": "", "code": ""}
    )
    assert "parent" in response.context["form"].errors
    assert not Unit.objects.filter(name="新股").exists()


def test_a_unit_with_people_cannot_be_deactivated(org, users, client):
    client.force_login(users.abag_admin)
    response = client.post(f"/org/units/{org.abag_section.pk}/active/", follow=True)
    assert "仍有2名在职人员" in response.content.decode()
    org.abag_section.refresh_from_db()
    assert org.abag_section.is_active


def test_a_unit_admin_cannot_deactivate_their_own_unit(org, users, client):
    client.force_login(users.abag_admin)
    response = client.post(f"/org/units/{org.abag.pk}/active/", follow=True)
    assert "不能停用您本人被授权管理的单位" in response.content.decode()


def test_an_empty_unit_is_deactivated_with_its_subtree(org, users, client):
    client.force_login(users.league_admin)
    empty = Unit.objects.add_child(org.xilin, instance=Unit(name="人才股", kind="section"))
    client.post(f"/org/units/{empty.pk}/active/")
    empty.refresh_from_db()
    assert not empty.is_active
    client.get("/")  # the confirmation message names the unit; let it be shown first
    assert "人才股" not in client.get("/org/units/").content.decode()
    assert "人才股" in client.get("/org/units/?inactive=1").content.decode()


@pytest.mark.parametrize("query", ["bysgl", "BYSGL", "bayisi", "巴依", "斯古楞"])
def test_the_roster_finds_a_person_by_name_full_pinyin_or_initials(query, org, users, client):
    client.force_login(users.abag_admin)
    page = client.get("/org/people/", {"q": query}).content.decode()
    assert "巴依斯古楞" in page and "王芳" not in page


def test_the_roster_search_answers_an_htmx_request_with_just_the_table(org, users, client):
    client.force_login(users.abag_admin)
    response = client.get("/org/people/", {"q": "wf"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="person-table")
    html = response.content.decode()
    assert "王芳" in html and "<nav" not in html and "巴依斯古楞" not in html


def test_the_roster_page_costs_the_same_queries_for_5_or_40_people(org, users, client):
    client.force_login(users.league_admin)
    client.get("/org/people/")  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get("/org/people/")
    for i in range(35):
        add_person(org.xilin_section, f"测试{i}", 100 + i, address="152502")
    with CaptureQueriesContext(connection) as many:
        client.get("/org/people/")
    assert len(many) == len(few) <= 12


def test_the_cadre_sees_their_own_entry_under_my_information(org, users, client):
    client.force_login(users.cadre)
    page = client.get("/org/me/").content.decode()
    assert "巴依斯古楞" in page and "152522********" in page
    assert org.bayi.id_number not in page
