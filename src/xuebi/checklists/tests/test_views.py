"""The pages and the API as a cadre and an administrator use them: report progress with a photo on
the item's page, ask for 验收, accept it; a refused step says why and changes nothing; the board,
due and completion pages; the bell's count and a message followed; pledges through the API."""

import datetime as dt

import pytest
from django.urls import reverse

from xuebi.checklists.models import Item, ItemEvent, ListKind, Status
from xuebi.notifications import services as notifications
from xuebi.notifications.models import Notification
from xuebi.testing.helpers import photo

from .conftest import make_item

pytestmark = pytest.mark.django_db


def test_report_progress_ask_for_acceptance_and_accept_on_the_page(client_for, users, item):
    cadre = client_for(users.cadre)
    move = reverse("checklists:item_move", args=[item.pk])
    response = cadre.post(
        move, {"move": "progress", "text": "已整理 120 卷", "percent": "60", "files": [photo("档案.jpg")]}, follow=True
    )
    assert "已报告进展。" in response.content.decode()
    page = cadre.get(reverse("checklists:item_detail", args=[item.pk])).content.decode()
    assert "已整理 120 卷" in page and "档案.jpg" in page and "已完成，申请验收" in page
    cadre.post(move, {"move": "submit", "text": "全部完成"})
    assert Item.objects.get(pk=item.pk).status == Status.PENDING
    admin = client_for(users.abag_admin)
    assert "验收通过（销号）" in admin.get(reverse("checklists:item_detail", args=[item.pk])).content.decode()
    response = admin.post(move, {"move": "accept"}, follow=True)
    assert "已验收通过，事项销号。" in response.content.decode()
    assert Item.objects.get(pk=item.pk).status == Status.DONE


def test_a_refused_step_on_the_page_says_why_and_changes_nothing(client_for, users, item):
    admin = client_for(users.abag_admin)
    response = admin.post(reverse("checklists:item_move", args=[item.pk]), {"move": "accept"}, follow=True)
    assert "事项“整理党员档案”未开始，不能验收通过。" in response.content.decode()
    response = admin.post(reverse("checklists:item_move", args=[item.pk]), {"move": "cancel", "text": ""}, follow=True)
    assert "请填写撤销的理由。" in response.content.decode()
    assert Item.objects.get(pk=item.pk).status == Status.NOT_STARTED and not ItemEvent.objects.exists()


def test_the_item_form_names_the_field_in_chinese(client_for, users, org):
    admin = client_for(users.abag_admin)
    response = admin.post(
        reverse("checklists:item_create"),
        {"kind": "task", "unit": org.abag.pk, "title": "报送材料", "responsible_unit": org.abag.pk, "priority": "normal"},
    )
    assert response.status_code == 200 and "阶段任务和督查项目须填写完成时限。" in response.content.decode()
    assert not Item.objects.exists()
    response = admin.post(
        reverse("checklists:item_create"),
        {
            "kind": "task",
            "unit": org.abag.pk,
            "title": "报送材料",
            "responsible_unit": org.abag_section.pk,
            "responsible_person": org.bayi.pk,
            "priority": "normal",
            "due_date": "2026-12-01",
        },
    )
    assert response.status_code == 302 and Item.objects.get().responsible_person == org.bayi


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # the first request of a session also reads and keeps the user's grants
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_boards_queries_do_not_grow_with_the_items(client_for, users, org, item):
    urls = ("/checklists/board/", "/checklists/due/", "/checklists/stats/")
    admin = client_for(users.abag_admin)
    few = {url: _queries(admin, url) for url in urls}
    cadre = client_for(users.cadre)
    mine = _queries(cadre, "/checklists/")
    for n in range(20):
        make_item(users.abag_admin, org.abag, org.bayi, title=f"事项{n}", due=dt.date(2026, 11, 1 + n))
    assert _queries(cadre, "/checklists/") == mine
    admin = client_for(users.abag_admin)
    assert {url: _queries(admin, url) for url in urls} == few
    assert few["/checklists/board/"] <= 10


def test_board_due_and_completion_pages(client_for, users, org, item):
    late = make_item(users.abag_admin, org.abag, org.abag_other, title="报送年度统计", due=dt.date(2026, 11, 20))
    admin = client_for(users.abag_admin)
    board = admin.get(reverse("checklists:board")).content.decode()
    assert "整理党员档案" in board and "逾期 1" in board
    due = admin.get(reverse("checklists:due")).content.decode()
    assert due.index("报送年度统计") < due.index("没有即将到期的事项") and late.title in due
    home = admin.get("/").content.decode()
    assert "清单事项逾期" in home and '<span class="text-danger">1</span> 项' in home
    stats = admin.get(reverse("checklists:stats") + "?year=2026").content.decode()
    assert "xb-cl-data" in stats and "组织股" in stats  # a county's admin sees its sections


def test_my_list_and_the_unit_pledges(client_for, users, item):
    cadre = client_for(users.cadre)
    cadre.post(reverse("checklists:pledge_create"), {"title": "全年撰写调研报告 2 篇", "year": "2026"})
    page = cadre.get(reverse("checklists:mine")).content.decode()
    assert "整理党员档案" in page and "全年撰写调研报告 2 篇" in page
    assert "全年撰写调研报告 2 篇" in cadre.get(reverse("checklists:pledges")).content.decode()


def test_the_bell_counts_and_a_message_is_followed_and_read(client_for, users, item):
    notifications.notify(
        [notifications.Message(users.cadre.pk, "今天到期：整理党员档案", url=f"/checklists/items/{item.pk}/", key="k")]
    )
    note = Notification.objects.get()
    assert client_for(users.abag_admin).get(reverse("notifications:go", args=[note.pk])).status_code == 404
    cadre = client_for(users.cadre)
    assert cadre.get(reverse("notifications:unread_count")).json() == {"unread": 1}
    response = cadre.get(reverse("notifications:go", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == f"/checklists/items/{item.pk}/"
    assert cadre.get(reverse("notifications:unread_count")).json() == {"unread": 0}


def test_a_message_link_outside_the_site_is_not_followed(client_for, users):
    notifications.notify([notifications.Message(users.cadre.pk, "x", url="https://evil.example/")])
    response = client_for(users.cadre).get(reverse("notifications:go", args=[Notification.objects.get().pk]))
    assert response["Location"] == reverse("notifications:inbox")


def test_the_api_round_trip(api, users, org):
    created = api.post(
        users.abag_admin,
        "/checklists/items",
        {
            "kind": "supervision",
            "unit_id": org.abag.pk,
            "title": "软弱涣散党组织整顿",
            "responsible_unit_id": org.abag_section.pk,
            "responsible_person_id": org.bayi.pk,
            "due_date": "2026-12-20",
            "supervision": "listed",
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert api.post(users.cadre, f"/checklists/items/{pk}/moves", {"move": "submit", "text": "完成"}).status_code == 201
    refused = api.post(users.cadre, f"/checklists/items/{pk}/moves", {"move": "accept"})
    assert refused.status_code == 403 and "只有清单所属单位的管理员" in refused.json()["detail"]
    bad = api.post(users.abag_admin, f"/checklists/items/{pk}/moves", {"move": "progress", "percent": 150})
    assert bad.status_code == 403  # the admin is not the responsible person
    assert api.post(users.abag_admin, f"/checklists/items/{pk}/moves", {"move": "accept"}).status_code == 201
    assert api.get(users.cadre, f"/checklists/items/{pk}").json()["status_name"] == "已完成"
    pledge = api.post(users.cadre, "/checklists/pledges", {"title": "带头学习", "year": 2026})
    assert pledge.status_code == 201 and pledge.json()["kind"] == ListKind.PLEDGE
    assert api.get(users.cadre, "/notifications/unread").json() == {"unread": 0}


def test_bad_api_input_is_a_chinese_422(api, users, org):
    response = api.post(
        users.abag_admin,
        "/checklists/items",
        {"kind": "task", "unit_id": org.abag.pk, "title": "", "responsible_unit_id": 10**8},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body", "responsible_unit_id"], "msg": "没有编号为 100000000 的单位。"}]
    assert not Item.objects.exists()


def test_the_completion_rate_counts_only_what_has_come_due(users, org, item):
    from xuebi.checklists import selectors, services
    from xuebi.checklists.models import Move

    late = make_item(users.abag_admin, org.abag, org.bayi, title="十一月的事", due=dt.date(2026, 11, 20))
    done = make_item(users.abag_admin, org.abag, org.bayi, title="按时的事", due=dt.date(2026, 11, 30))
    services.move(actor=users.cadre, item=done, move=Move.SUBMIT)
    services.move(actor=users.abag_admin, item=done, move=Move.ACCEPT)
    figures = selectors.completion(users.abag_admin, year=2026, today=dt.date(2026, 11, 25))
    november, december = figures["months"][10], figures["months"][11]
    assert (november["due"], november["on_time"], november["open"], november["rate"]) == (2, 1, 1, 50.0)
    assert (december["due"], december["ahead"], december["rate"]) == (1, 1, None)  # 整理党员档案, due 12月10日
    assert figures["units"] == [{"name": "组织股", "due": 3, "on_time": 1, "late": 0, "open": 1, "ahead": 1, "rate": 50.0}]
    assert late.title == "十一月的事"


def test_what_an_assessment_sheet_shows_of_a_persons_checklists(users, org, time_machine):
    from decimal import Decimal

    from xuebi.checklists import selectors, services
    from xuebi.checklists.models import Move

    on_time = make_item(users.abag_admin, org.abag, org.bayi, title="按时的事", due=dt.date(2026, 11, 30))
    late = make_item(users.abag_admin, org.abag, org.bayi, title="迟了的事", due=dt.date(2026, 11, 10))
    make_item(users.abag_admin, org.abag, org.bayi, title="拖着的事", due=dt.date(2026, 11, 20))
    make_item(users.abag_admin, org.abag, org.bayi, title="下月的事", due=dt.date(2026, 12, 20))
    for item in (on_time, late):
        services.move(actor=users.cadre, item=item, move=Move.SUBMIT)
        services.move(actor=users.abag_admin, item=item, move=Move.ACCEPT)
    pledge = services.save_pledge(actor=users.cadre, title="带头学习", year=2026)
    services.review_pledge(actor=users.abag_admin, item=pledge, grade="kept")
    rows = selectors.assessment_rows([org.bayi.pk, org.abag_other.pk], dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert list(rows) == [org.bayi.pk]
    texts = [text for text, _, _ in rows[org.bayi.pk]]
    assert texts == [
        "按时销号 1 项，逾期完成 1 项，逾期未完成 1 项",
        "逾期完成：迟了的事（时限 11月10日，11月25日销号）",
        "逾期未完成：拖着的事（时限 11月20日）",
        "承诺：带头学习（已践诺）",
    ]
    assert rows[org.bayi.pk][0][1] == Decimal(1)


def test_a_pledge_year_the_api_cannot_take_is_a_422(api, users):
    answer = api.post(users.cadre, "/checklists/pledges", {"title": "承诺", "year": -365862483})
    assert answer.status_code == 422
    assert answer.json()["detail"] == [{"loc": ["body", "year"], "msg": "请填写正确的年度（2000—2100）。"}]
