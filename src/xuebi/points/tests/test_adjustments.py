"""加分/扣分: one validator for the page and the API, within the indicator's 满分, previewed before
it is booked."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from xuebi.audit.models import Action, AuditEntry
from xuebi.points import services, standings
from xuebi.points.models import PointEntry
from xuebi.testing.helpers import give

ADJUST = "/points/adjustments"


def body(org, theory, points, **extra):  # noqa: F811
    return {
        "person_id": org.bayi.pk,
        "indicator_id": theory.pk,
        "points": points,
        "reason": "获评优秀组工信息",
        "occurred_on": "2026-11-20",
        **extra,
    }


def page_form(org, theory, points, **extra):  # noqa: F811
    return {
        "person": org.bayi.pk,
        "indicator": theory.pk,
        "points": points,
        "reason": "获评优秀组工信息",
        "occurred_on": "2026-11-20",
        **extra,
    }


def field_errors(response, name="points") -> list[str]:
    return re.findall(rf'data-field="{name}">([^<]*)<', response.content.decode())


def adjust(users, org, theory, points):  # noqa: F811
    return services.points_adjust(
        actor=users.abag_admin,
        person=org.bayi,
        indicator=theory,
        points=Decimal(points),
        reason="获评优秀组工信息",
        occurred_on=give.__defaults__[0],
    )


def test_an_addition_past_the_maximum_credits_what_fits_and_the_journal_says_how_much_was_cut(users, org, theory):  # noqa: F811
    give(org, org.bayi, Decimal("28.5"), 1)
    entry = adjust(users, org, theory, "50")
    assert (entry.points, entry.base_points) == (Decimal("1.5"), Decimal(50))
    assert entry.note == "获评优秀组工信息（已达指标“理论学习”满分30分，核减48.5分）"
    assert standings.stored_rows(theory.campaign) == standings.expected_rows(theory.campaign)
    with pytest.raises(ValidationError, match="已达满分，不能再加分"):  # nothing fits any more: refused, nothing written
        adjust(users, org, theory, "1")
    assert PointEntry.objects.filter(entry_type="adjustment").count() == 1
    audit = AuditEntry.objects.get(action=Action.POINTS_ADJUST)
    assert (audit.changes["points"][1], audit.changes["asked"][1]) == ("1.50", "50")


def test_a_deduction_stops_at_zero(users, org, theory):  # noqa: F811
    give(org, org.bayi, 3, 1)
    entry = adjust(users, org, theory, "-5")
    assert (entry.points, entry.note) == (Decimal(-3), "获评优秀组工信息（指标“理论学习”扣至0分为止，核减2分）")
    with pytest.raises(ValidationError, match="不能再扣分"):
        adjust(users, org, theory, "-1")
    assert standings.stored_rows(theory.campaign) == standings.expected_rows(theory.campaign)


def test_my_points_never_shows_more_than_the_maximum(users, org, theory, api, client_for):  # noqa: F811
    give(org, org.bayi, Decimal("28.5"), 1)
    assert api.post(users.abag_admin, ADJUST, body(org, theory, "100")).status_code == 201
    assert Decimal(api.get(users.cadre, "/points/me").json()["indicators"][0]["points"]) == 30
    page = client_for(users.cadre).get("/points/").content.decode()
    assert "30 / 30" in page and "核减98.5分" in page


@pytest.mark.parametrize(
    "raw",
    [
        '"1e9"',
        "1e9",
        '"1e12"',
        "1e12",
        "1e400",
        '"1e400"',
        '"NaN"',
        "NaN",
        '"Infinity"',
        "-Infinity",
        '"-0.004"',
        "-0.004",
        '"0"',
        '"abc"',
        "true",
    ],
)
def test_bad_points_are_refused_by_name_in_chinese_and_change_nothing(users, org, theory, api, raw):  # noqa: F811
    text = json.dumps(body(org, theory, "X")).replace('"X"', raw)
    response = api.client.post(f"/api/v1{ADJUST}", text, content_type="application/json", **api._headers(users.abag_admin))
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "points"] and error["msg"].startswith("分值：")
    assert not PointEntry.objects.exists() and not AuditEntry.objects.filter(action=Action.POINTS_ADJUST).exists()
    call_command("points_totals")  # zero mismatched rows (it raises otherwise)


@pytest.mark.parametrize(
    "value, message",
    [
        ("-0.004", "最多保留两位小数"),
        ("1e9", "应在 -100 到 100 之间"),
        ("1e400", "应在 -100 到 100 之间"),
        ("NaN", "应为数字"),
        ("0", "不能为 0"),
    ],
)
def test_the_page_and_the_api_refuse_a_value_with_the_same_message(users, org, theory, api, client_for, value, message):  # noqa: F811
    [on_page] = field_errors(client_for(users.abag_admin).post("/points/adjust/", page_form(org, theory, value)))
    [in_api] = api.post(users.abag_admin, ADJUST, body(org, theory, value)).json()["detail"]
    assert message in on_page and in_api["msg"] == f"分值：{on_page}"
    assert not PointEntry.objects.exists()


def test_the_api_previews_what_will_be_credited_and_books_only_what_was_confirmed(users, org, theory, api):  # noqa: F811
    give(org, org.bayi, Decimal("28.5"), 1)
    preview = api.post(users.abag_admin, f"{ADJUST}/preview", body(org, theory, 5))
    assert preview.status_code == 200
    assert {k: preview.json()[k] for k in ("points", "credited", "cut", "earned", "max_points")} == {
        "points": "5",
        "credited": "1.50",
        "cut": "3.50",
        "earned": "28.50",
        "max_points": "30.00",
    }
    assert preview.json()["summary"] == "将计入 1.5 分（满分 30，已得 28.5）"
    assert PointEntry.objects.filter(entry_type="adjustment").count() == 0
    give(org, org.bayi, 1, 2)  # the person's points moved since the preview: the confirmed 1.5 no longer holds
    stale = api.post(users.abag_admin, ADJUST, body(org, theory, 5, expected_points="1.5"))
    assert stale.status_code == 422 and "现在将计入 0.5 分（满分 30，已得 29.5）" in stale.json()["detail"][0]["msg"]
    booked = api.post(users.abag_admin, ADJUST, body(org, theory, 5, expected_points="0.5"))
    assert booked.status_code == 201 and booked.json()["points"] == "0.50" and "核减4.5分" in booked.json()["note"]


def test_the_page_shows_what_will_be_credited_before_the_admin_confirms(users, org, theory, client_for):  # noqa: F811
    give(org, org.bayi, Decimal("28.5"), 1)
    admin = client_for(users.abag_admin)
    page = admin.post("/points/adjust/", page_form(org, theory, "5")).content.decode()
    assert "将计入 1.5 分（满分 30，已得 28.5）" in page and "核减3.5分" in page
    assert "巴依斯古楞 · 阿巴嘎旗委组织部 / 组织股" in page  # the confirmation names the person with county and section
    assert not PointEntry.objects.filter(entry_type="adjustment").exists()  # a preview books nothing
    response = admin.post("/points/adjust/", page_form(org, theory, "5", expected="1.50", confirm="1"), follow=True)
    assert "已为巴依斯古楞加1.5分（按指标分值范围核减3.5分）。" in response.content.decode()
    assert PointEntry.objects.get(entry_type="adjustment").points == Decimal("1.5")
    stale = admin.post("/points/adjust/", page_form(org, theory, "5", expected="1.50", confirm="1"))
    assert field_errors(stale) == ["指标“理论学习”已得30分，已达满分，不能再加分。"]
    assert PointEntry.objects.filter(entry_type="adjustment").count() == 1
