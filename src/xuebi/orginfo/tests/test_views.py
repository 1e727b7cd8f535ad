"""The pages and the API as a user meets them: sending an item, the list's filters and its queries,
the item's page with its adoptions and their points, the league department's form, and the API's
answers (with the same messages as the pages)."""

import datetime as dt

import pytest

from xuebi.orginfo.models import Adoption, InfoItem, ItemStatus
from xuebi.points.models import PointEntry

from .conftest import LONG, adopt, send

pytestmark = pytest.mark.django_db


def test_a_cadre_sends_an_item_from_the_page(org, users, client_for):
    client = client_for(users.cadre)
    page = client.get("/orginfo/new/").content.decode()
    assert "报送组工信息" in page and "800字以上（不计空格）为长篇" in page
    response = client.post(
        "/orginfo/new/",
        {
            "unit": org.abag.pk,
            "title": "阿巴嘎旗：抓实“三会一课”",
            "submitted_on": "2026年11月20日",
            "author": org.bayi.pk,
            "co_author_0": org.abag_other.pk,
            "text": "正文" * 10,
            "submit": "1",
        },
    )
    item = InfoItem.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/orginfo/{item.pk}/"
    assert item.status == ItemStatus.SUBMITTED and item.submitted_on == dt.date(2026, 11, 20) and item.chars == 20
    assert [r.person for r in item.author_rows.all()] == [org.bayi, org.abag_other]
    page = client.get(f"/orginfo/{item.pk}/").content.decode()
    assert "巴依斯古楞、王芳" in page and "尚未登记采用" in page and 'data-testid="adopt"' not in page


def test_bad_input_on_the_page_is_named_and_saves_nothing(org, users, client_for):
    client = client_for(users.cadre)
    response = client.post(
        "/orginfo/new/",
        {
            "unit": org.abag.pk,
            "title": "标题",
            "submitted_on": "2026年12月1日",
            "author": org.bayi.pk,
            "text": "正文",
            "submit": "1",
        },
    )
    assert response.status_code == 200 and "报送日期不能晚于今天" in response.content.decode()
    response = client.post("/orginfo/new/", {"unit": org.xilin.pk, "title": "标题", "submitted_on": "2026-11-1", "text": "x"})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not InfoItem.objects.exists()


def test_the_list_filters_and_costs_the_same_queries_for_many(rules, org, users, client_for, django_assert_max_num_queries):
    first = send(users.cadre, org.abag, [org.bayi], title="第一条")
    adopt(users.league_admin, first, "region")
    client = client_for(users.abag_admin)
    client.get("/orginfo/")
    with django_assert_max_num_queries(14) as one:
        client.get("/orginfo/")
    for n in range(12):
        item = send(users.cadre, org.abag, [org.bayi, org.abag_other], title=f"信息{n}")
        if n % 3 == 0:
            adopt(users.league_admin, item, "own")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/orginfo/").content.decode()
    assert "信息11" in page and "自治区·长篇" in page
    filtered = client.get("/orginfo/", {"adopted": "region"}).content.decode()
    assert "第一条" in filtered and "信息11" not in filtered
    assert "第一条" not in client.get("/orginfo/", {"adopted": "none"}).content.decode()
    assert "信息3" in client.get("/orginfo/", {"q": "信息3"}).content.decode()


def test_the_league_admin_records_and_undoes_on_the_page(rules, org, users, client_for):
    item = send(users.cadre, org.abag, [org.bayi], text=LONG)
    client = client_for(users.league_admin)
    assert "登记采用" in client.get(f"/orginfo/{item.pk}/").content.decode()
    page = client.get(f"/orginfo/{item.pk}/adopt/").content.decode()
    assert "本篇800字，按字数为长篇" in page
    bad = client.post(f"/orginfo/{item.pk}/adopt/", {"outlet": "league", "adopted_on": "2026年11月1日"})
    assert "采用日期不能早于报送日期（2026年11月2日）" in bad.content.decode() and not Adoption.objects.exists()
    response = client.post(
        f"/orginfo/{item.pk}/adopt/", {"outlet": "league", "adopted_on": "2026-11-20", "instruction": "region"}, follow=True
    )
    page = response.content.decode()
    assert "已登记“盟/盟委组织部”采用（长篇）" in page and "30分" in page and "省（自治区）领导批示" in page
    adoption = Adoption.objects.get()
    assert PointEntry.objects.filter(person=org.bayi).count() == 2
    client.post(f"/orginfo/adoptions/{adoption.pk}/undo/", {"reason": ""})
    assert Adoption.objects.standing().count() == 1
    page = client.post(f"/orginfo/adoptions/{adoption.pk}/undo/", {"reason": "重复登记"}, follow=True).content.decode()
    assert "相应积分已冲销" in page and "重复登记" in page and "（已撤销）" in page
    # the sender may change it again now that nothing stands
    assert "item-edit" in client_for(users.cadre).get(f"/orginfo/{item.pk}/").content.decode()


def test_the_api_writes_through_the_same_services(rules, org, users, api):
    created = api.post(
        users.cadre,
        "/orginfo/items",
        {"unit_id": org.abag.pk, "title": "接口报送", "text": LONG, "author_ids": [org.bayi.pk], "submit": True},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (
        body["status"] == "submitted" and body["chars"] == 800 and body["authors"] == [{"id": org.bayi.pk, "name": "巴依斯古楞"}]
    )
    pk = body["id"]
    refused = api.post(users.cadre, "/orginfo/items", {"unit_id": org.xilin.pk, "title": "", "text": "x", "author_ids": [999999]})
    assert refused.status_code == 422 and refused.json()["detail"][0]["msg"] == "没有编号为 999999 的人员。"
    adoption = api.post(users.league_admin, f"/orginfo/items/{pk}/adoptions", {"outlet": "central", "adopted_on": "2026-11-25"})
    assert adoption.status_code == 201 and adoption.json()["key"] == "中组部/长篇"
    again = api.post(users.league_admin, f"/orginfo/items/{pk}/adoptions", {"outlet": "central", "adopted_on": "2026-11-25"})
    assert again.status_code == 422 and again.json()["detail"][0]["loc"] == ["body", "outlet"]
    locked = api.patch(users.cadre, f"/orginfo/items/{pk}", {"title": "改"})
    assert locked.status_code == 422 and "已被采用" in locked.json()["detail"][0]["msg"]
    listed = api.get(users.abag_admin, "/orginfo/items").json()
    assert listed["count"] == 1 and listed["items"][0]["adoptions"][0]["key"] == "中组部/长篇"
    undone = api.post(users.league_admin, f"/orginfo/adoptions/{adoption.json()['id']}/undo", {"reason": "误"})
    assert undone.status_code == 200 and undone.json()["standing"] is False
    assert api.get(users.xilin_admin, f"/orginfo/items/{pk}").status_code == 404


@pytest.mark.parametrize(
    "year, shown", [("2026", True), ("2025", False), ("99999", True), ("-5", True), ("1.5", True), ("abc", True)]
)
def test_a_wrong_year_filter_is_left_out_not_a_500(org, users, client_for, year, shown):
    send(users.cadre, org.abag, [org.bayi], title="今年的信息")
    response = client_for(users.abag_admin).get("/orginfo/", {"year": year})
    assert response.status_code == 200 and ("今年的信息" in response.content.decode()) == shown
