"""Names are stored without characters nobody can see; a name that is nothing else is refused."""

from __future__ import annotations

import pytest

from xuebi.core.text import strip_invisible
from xuebi.org.models import Person, Unit

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\u00ad"


@pytest.mark.parametrize(
    "typed, kept",
    [
        (" 张\u200b三\u202e ", "张三"),
        (INVISIBLE, ""),
        (INVISIBLE + "  \t", ""),
        ("\u202e巴图\u202c", "巴图"),
        ("ᠪᠠᠲᠤ\u180eᠠ", "ᠪᠠᠲᠤ\u180eᠠ"),  # the Mongolian vowel separator is part of the spelling
        ("\u180e", ""),
    ],
)
def test_strip_invisible(typed, kept):
    assert strip_invisible(typed) == kept


def test_a_person_named_only_with_invisible_characters_is_refused_by_the_api(api, users, org):
    before = Person.objects.count()
    response = api.post(users.abag_admin, "/people", {"name": "\u200b\u202e\ufeff", "unit_id": org.abag_section.pk, "sex": "M"})
    assert response.status_code == 422
    assert {"loc": ["body", "name"], "msg": "姓名：请填写姓名。"} in response.json()["detail"]
    assert Person.objects.count() == before


def test_invisible_characters_are_stripped_from_a_person_s_name(api, users, org):
    response = api.post(
        users.abag_admin, "/people", {"name": "苏\u200b和\u202e", "unit_id": org.abag_section.pk, "sex": "M", "ethnicity": "汉族"}
    )
    assert response.status_code == 201, response.content
    assert Person.objects.get(pk=response.json()["id"]).name == "苏和"
    # and the roster finds it as typed
    assert api.get(users.abag_admin, "/people", search="苏和").json()["count"] == 1


def test_a_unit_named_with_invisible_characters_only_is_refused_on_the_page(client_for, users, org):
    before = Unit.objects.count()
    response = client_for(users.abag_admin).post(
        "/org/units/new/", {"parent": org.abag.pk, "name": "\u2066\u2069", "kind": "section", "code": ""}
    )
    assert response.status_code == 200
    assert "请填写单位名称。" in response.content.decode()
    assert Unit.objects.count() == before


@pytest.mark.parametrize(
    "path, body, loc, message",
    [
        ("/campaigns", {"name": "\u200b", "start_date": "2027-01-01", "end_date": "2027-12-31"}, "name", "必填"),
        ("/kinds", {"code": "zw_test", "name": "\ufeff\u200d", "dimension": "theory"}, "name", "必填"),
    ],
)
def test_other_names_with_invisible_characters_only_are_refused(api, users, path, body, loc, message):
    response = api.post(users.league_admin, path, body)
    assert response.status_code == 422
    assert any(d["loc"][-1] == loc and message in d["msg"] for d in response.json()["detail"]), response.json()


def test_an_account_s_full_name_is_cleaned(users):
    from xuebi.accounts.forms import UserCreateForm

    form = UserCreateForm({"username": "zhang", "full_name": "\u202e\u200b", "password": "x"})
    assert not form.is_valid() and form.errors["full_name"] == ["请填写姓名。"]
    form = UserCreateForm({"username": "zhang", "full_name": "张\u200b三", "password": "x"})
    form.is_valid()
    assert form.cleaned_data["full_name"] == "张三"
