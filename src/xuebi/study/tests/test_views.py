"""The study pages for every role: what each sees, what each may change, bad input, query counts."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xuebi.audit.models import Action, AuditEntry
from xuebi.study import services
from xuebi.study.models import StudyItem, StudyList, StudyNote, StudyPlan, StudyProgress
from xuebi.testing.helpers import add_item, add_person, days, log

pytestmark = pytest.mark.django_db

ALL_ROLES = [
    "league_admin",
    "abag_admin",
    "abag_reviewer",
    "cadre",
    "xilin_admin",
    "judge",
    "sysadmin",
    "secadmin",
    "auditor",
    "nobody",
]
SEPARATED = ["sysadmin", "secadmin", "auditor", "nobody"]


def html(response) -> str:
    return response.content.decode()


def item_block(page: str, item) -> str:
    """The <li> of one item on a page."""
    match = re.search(rf'<li class="[^"]*" id="item-{item.pk}".*?</li>', page, re.S)
    assert match, f"item {item.pk} not on the page"
    return match.group(0)


# --- 我的学习 ---------------------------------------------------------------------------------


def test_the_cadre_sees_the_lists_that_reach_them_with_progress_and_overdue_marked(users, study, client_for):
    log(users.cadre, study.book, "1.5")
    page = html(client_for(users.cadre).get("/study/"))
    assert study.league_list.title in page and study.abag_list.title in page
    assert study.draft.title not in page
    reading = item_block(page, study.reading)
    assert "list-group-item-danger" in reading and "已逾期" in reading
    book = item_block(page, study.book)
    assert "list-group-item-danger" not in book and ">1.5</strong> / 5 学时" in book
    assert "不限学时" in item_block(page, study.video)
    assert page.count('id="study-totals"') == 1
    totals = re.search(r'data-testid="totals".*?<h2', page, re.S).group(0)
    assert re.findall(r'xb-stat">(\d+)<', totals) == ["4", "0", "2"]  # 4 items, none complete, 2 overdue


@pytest.mark.parametrize("role", ["league_admin", "abag_admin", "abag_reviewer", "xilin_admin", "judge"])
def test_accounts_without_a_roster_entry_get_an_explanation(role, users, study, client_for):
    response = client_for(getattr(users, role)).get("/study/")
    assert response.status_code == 200
    assert 'data-testid="no-person"' in html(response) and "没有关联花名册人员" in html(response)


@pytest.mark.parametrize("role", SEPARATED)
def test_separated_roles_and_roleless_accounts_have_no_study_pages(role, users, study, client_for):
    client = client_for(getattr(users, role))
    for url in (
        "/study/",
        "/study/manage/",
        "/study/plans/",
        "/study/notes/",
        "/study/plans/new/",
        f"/study/lists/{study.league_list.pk}/completion/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.get(f"/study/lists/{study.league_list.pk}/").status_code == 404


def test_logging_hours_with_htmx_swaps_the_item_card(users, study, client_for):
    response = client_for(users.cadre).post(
        f"/study/items/{study.reading.pk}/log/",
        {"hours": "2", "studied_on": days(-1).strftime("%Y.%m.%d"), "note": "通读"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/study/",
    )
    assert response.status_code == 200
    card = html(response)
    assert card.startswith('<li class="list-group-item"') and "已完成" in card and "已登记" in card
    tiles = re.search(r'id="study-totals".*', card, re.S).group(0)
    assert 'hx-swap-oob="true"' in tiles and re.findall(r'xb-stat">(\d+)<', tiles) == ["4", "1", "1"]
    progress = StudyProgress.objects.get()
    assert (progress.hours, progress.studied_on, progress.note) == (Decimal("2.0"), days(-1), "通读")
    assert AuditEntry.objects.filter(action=Action.STUDY_PROGRESS, actor=users.cadre).exists()


def test_logging_hours_without_javascript_returns_to_the_item(users, study, client_for):
    response = client_for(users.cadre).post(
        f"/study/items/{study.book.pk}/log/", {"hours": "1", "studied_on": f"{days(0):%Y年%m月%d日}"}
    )
    assert response.status_code == 302 and response["Location"] == f"/study/#item-{study.book.pk}"


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"hours": "0"}, "hours", "学时须大于0"),
        ({"hours": "-1"}, "hours", "学时须大于0"),
        ({"hours": "25"}, "hours", "单次登记的学时不能超过24小时"),
        ({"hours": "1.25"}, "hours", "学时最多保留1位小数"),
        ({"hours": "两小时"}, "hours", "学时应为数字"),
        ({"hours": ""}, "hours", "请填写学时"),
        ({"studied_on": "明天"}, "studied_on", "无法识别的日期"),
        ({"studied_on": "2026年2月30日"}, "studied_on", "日期不存在"),
        ({"studied_on": "2026年3月"}, "studied_on", "请填写到具体日期"),
        ({"note": "长" * 501}, "note", "备注不能超过500字"),
    ],
)
@pytest.mark.parametrize("htmx", [True, False])
def test_bad_progress_input_names_the_field_and_saves_nothing(data, field, message, htmx, users, study, client_for):
    post = {"hours": "1", "studied_on": days(0).isoformat(), "note": ""} | data
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client_for(users.cadre).post(f"/study/items/{study.book.pk}/log/", post, **headers)
    assert response.status_code == 200
    page = html(response)
    assert f'data-field="{field}"' in page and message in page
    assert not StudyProgress.objects.exists()


def test_a_future_date_and_a_full_day_are_refused(users, study, client_for):
    client = client_for(users.cadre)
    response = client.post(f"/study/items/{study.book.pk}/log/", {"hours": "1", "studied_on": days(1).isoformat()})
    assert "学习日期不能晚于今天" in html(response)
    log(users.cadre, study.reading, "23", days(-1))
    response = client.post(f"/study/items/{study.book.pk}/log/", {"hours": "1.5", "studied_on": days(-1).isoformat()})
    assert "已登记23学时" in html(response) and 'data-field="hours"' in html(response)
    assert StudyProgress.objects.count() == 1


def test_hours_go_only_on_items_that_reach_you(users, study, client_for):
    client = client_for(users.cadre)
    assert (
        client.post(f"/study/items/{study.draft_item.pk}/log/", {"hours": "1", "studied_on": days(0).isoformat()}).status_code
        == 404
    )
    response = client_for(users.league_admin).post(f"/study/items/{study.reading.pk}/log/", {"hours": "1"})
    assert response.status_code == 403
    assert not StudyProgress.objects.exists()


def test_the_index_costs_the_same_queries_however_many_lists_and_items(
    org, users, study, client_for, django_assert_max_num_queries
):
    client = client_for(users.cadre)
    client.get("/study/")  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get("/study/")
    for n in range(4):
        extra = services.study_list_create(actor=users.abag_admin, unit=org.abag, title=f"清单{n}", target_units=[org.abag])
        for k in range(3):
            add_item(users.abag_admin, extra, f"内容{n}-{k}", "1", days(k))
        services.study_list_publish(actor=users.abag_admin, study_list=extra)
    services.study_plan_save(actor=users.cadre, year=2026, title="计划", items=[{"text": "一"}, {"text": "二"}])
    services.study_note_save(actor=users.cadre, kind="note", title="笔记", body="正文", item=study.reading)
    with django_assert_max_num_queries(len(few)):
        page = html(client.get("/study/"))
    assert "清单3" in page and "内容3-2" in page
    assert len(few) <= 8  # session, account, grants, lists, items with progress, plans, notes


# --- 学习清单管理 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status, lists",
    [
        ("league_admin", 200, {"league_list", "abag_list", "draft"}),
        ("abag_admin", 200, {"league_list", "abag_list"}),
        ("abag_reviewer", 200, {"league_list", "abag_list"}),
        ("xilin_admin", 200, {"league_list"}),
        ("cadre", 403, None),
        ("judge", 403, None),
        ("sysadmin", 403, None),
        ("secadmin", 403, None),
        ("auditor", 403, None),
        ("nobody", 403, None),
    ],
)
def test_the_manage_page_by_role(role, status, lists, users, study, client_for):
    response = client_for(getattr(users, role)).get("/study/manage/")
    assert response.status_code == status
    if lists is not None:
        page = html(response)
        assert {n for n in ("league_list", "abag_list", "draft") if getattr(study, n).title in page} == lists


def test_the_manage_page_marks_lists_sent_down_from_above(users, study, client_for):
    page = html(client_for(users.abag_admin).get("/study/manage/"))
    blocks = re.findall(r'data-testid="manage-list">.*?</div>\s*</div>', page, re.S)
    league = next(b for b in blocks if study.league_list.title in b)
    own = next(b for b in blocks if study.abag_list.title in b)
    assert "上级下发" in league and "编辑" not in league
    assert "上级下发" not in own and f"/study/lists/{study.abag_list.pk}/edit/" in own


def test_the_manage_page_does_not_grow_queries_with_lists(org, users, study, client_for, django_assert_max_num_queries):
    client = client_for(users.league_admin)
    client.get("/study/manage/")
    with CaptureQueriesContext(connection) as few:
        client.get("/study/manage/")
    for n in range(5):
        services.study_list_create(
            actor=users.league_admin, unit=org.league, title=f"新清单{n}", target_units=[org.abag, org.xilin]
        )
    with django_assert_max_num_queries(len(few)):
        assert "新清单4" in html(client.get("/study/manage/"))


def test_a_unit_admin_builds_and_publishes_a_list_through_the_pages(org, users, client_for):
    client = client_for(users.abag_admin)
    response = client.post(
        "/study/lists/new/",
        {"title": "组织工作条例学习", "description": "逐条学习", "unit": org.abag.pk, "target_units": [org.abag_section.pk]},
    )
    study_list = StudyList.objects.get(title="组织工作条例学习")
    assert response.status_code == 302 and response["Location"] == f"/study/lists/{study_list.pk}/"
    response = client.post(
        f"/study/lists/{study_list.pk}/items/new/",
        {
            "title": "第一章 总则",
            "material_type": "document",
            "source": "",
            "required_hours": "1.5",
            "due_date": f"{days(20).year}年{days(20).month}月{days(20).day}日",
            "order": "",
            "again": "1",
        },
    )
    assert response["Location"] == f"/study/lists/{study_list.pk}/items/new/"
    item = study_list.items.get()
    assert (item.required_hours, item.due_date) == (Decimal("1.5"), days(20))
    response = client.post(f"/study/lists/{study_list.pk}/publish/")
    study_list.refresh_from_db()
    assert study_list.is_published
    assert study_list in StudyList.objects.reaching(org.bayi.pk)
    # The cadre now sees it.
    assert "第一章 总则" in html(client_for(users.cadre).get("/study/"))


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"title": ""}, "title", "请填写清单名称"),
        ({"target_units": []}, "target_units", "请选择至少一个下发单位"),
        ({"unit": "XILIN"}, "unit", "您不能以所选单位的名义发布"),
        ({"target_units": ["XILIN"]}, "target_units", "所选下发单位不在您的管理范围内"),
        ({"unit": "SECTION", "target_units": ["ABAG"]}, "target_units", "须是发布单位“组织股”或其下级单位"),
    ],
)
def test_bad_list_input_is_refused_with_the_field_named(data, field, message, org, users, client_for):
    ids = {"XILIN": org.xilin.pk, "ABAG": org.abag.pk, "SECTION": org.abag_section.pk}
    post = {"title": "清单", "unit": org.abag.pk, "target_units": [org.abag.pk]} | data
    post = {k: ([ids.get(x, x) for x in v] if isinstance(v, list) else ids.get(v, v)) for k, v in post.items()}
    response = client_for(users.abag_admin).post("/study/lists/new/", post)
    assert response.status_code == 200
    page = html(response)
    assert f'data-field="{field}"' in page and message in page
    assert not StudyList.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"required_hours": "-1"}, "要求学时不能为负数"),
        ({"required_hours": "0.55"}, "要求学时最多保留1位小数"),
        ({"due_date": ""}, "请填写完成时限"),
        ({"due_date": "下个月"}, "无法识别的日期"),
        ({"title": ""}, "请填写学习内容"),
    ],
)
def test_bad_item_input_is_refused(data, message, users, study, client_for):
    post = {"title": "新内容", "material_type": "article", "required_hours": "1", "due_date": days(5).isoformat()} | data
    response = client_for(users.league_admin).post(f"/study/lists/{study.league_list.pk}/items/new/", post)
    assert response.status_code == 200 and message in html(response)
    assert study.league_list.items.count() == 3


@pytest.mark.parametrize(
    "role, detail, edit",
    [
        ("league_admin", 200, 200),
        ("abag_admin", 200, 200),
        ("abag_reviewer", 200, 404),
        ("cadre", 200, 404),
        ("xilin_admin", 404, 404),
        ("judge", 404, 404),
        ("auditor", 404, 404),
    ],
)
def test_who_opens_and_who_edits_a_county_list(role, detail, edit, users, study, client_for):
    client = client_for(getattr(users, role))
    assert client.get(f"/study/lists/{study.abag_list.pk}/").status_code == detail
    assert client.get(f"/study/lists/{study.abag_list.pk}/edit/").status_code == edit
    assert client.get(f"/study/items/{study.abag_item.pk}/edit/").status_code == edit
    assert client.get(f"/study/lists/{study.abag_list.pk}/items/new/").status_code == edit


def test_a_county_admin_cannot_edit_publish_or_delete_what_the_league_sent(users, study, client_for):
    client = client_for(users.abag_admin)
    assert client.post(f"/study/lists/{study.league_list.pk}/publish/").status_code == 404
    assert client.post(f"/study/items/{study.reading.pk}/delete/").status_code == 404
    assert client.post(f"/study/lists/{study.draft.pk}/publish/").status_code == 404
    study.draft.refresh_from_db()
    assert not study.draft.is_published and study.league_list.items.count() == 3


def test_deleting_a_studied_item_is_refused_with_a_message(users, study, client_for):
    log(users.cadre, study.abag_item, "1")
    client = client_for(users.abag_admin)
    response = client.post(f"/study/items/{study.abag_item.pk}/delete/", follow=True)
    assert "已有人登记" in html(response)
    assert StudyItem.objects.filter(pk=study.abag_item.pk).exists()


def test_editing_an_item_extends_its_deadline(users, study, client_for):
    response = client_for(users.league_admin).post(
        f"/study/items/{study.reading.pk}/edit/",
        {
            "title": study.reading.title,
            "material_type": "article",
            "source": "",
            "required_hours": "2",
            "due_date": days(3).strftime("%Y/%m/%d"),
            "order": "10",
        },
    )
    assert response.status_code == 302
    study.reading.refresh_from_db()
    assert study.reading.due_date == days(3)
    assert "list-group-item-danger" not in item_block(html(client_for(users.cadre).get("/study/")), study.reading)


# --- completion -------------------------------------------------------------------------------


def person_rows(page: str) -> set[str]:
    table = re.search(r'data-testid="by-person">.*?</ul>', page, re.S).group(0)
    return set(re.findall(r'/people/\d+/">([^<]+)</a>', table))


@pytest.mark.parametrize(
    "role, status, people",
    [
        ("league_admin", 200, {"巴依斯古楞", "王芳", "巴图"}),
        ("abag_admin", 200, {"巴依斯古楞", "王芳"}),
        ("abag_reviewer", 200, {"巴依斯古楞", "王芳"}),
        ("xilin_admin", 200, {"巴图"}),
        ("cadre", 403, None),
        ("judge", 403, None),
        ("sysadmin", 403, None),
        ("auditor", 403, None),
        ("nobody", 403, None),
    ],
)
def test_the_completion_report_shows_each_viewer_their_own_people(role, status, people, users, study, client_for):
    response = client_for(getattr(users, role)).get(f"/study/lists/{study.league_list.pk}/completion/")
    assert response.status_code == status
    if people is not None:
        assert person_rows(html(response)) == people


def test_a_county_report_is_not_found_for_another_county(users, study, client_for):
    client = client_for(users.xilin_admin)
    assert client.get(f"/study/lists/{study.abag_list.pk}/completion/").status_code == 404
    assert (
        client.get(
            f"/study/lists/{study.league_list.pk}/completion/?unit={users.abag_admin.role_grants.get().unit_id}"
        ).status_code
        == 404
    )


def test_the_report_shows_figures_and_drills_down_by_unit(org, users, study, client_for):
    for item in (study.reading, study.video, study.book):
        log(users.cadre, item, "5", days(-11) if item == study.reading else days(0))
    client = client_for(users.league_admin)
    page = html(client.get(f"/study/lists/{study.league_list.pk}/completion/"))
    summary = re.search(r'data-testid="summary".*?<h2', page, re.S).group(0)
    assert re.findall(r'xb-stat">(\d+)<', summary) == ["3", "1", "2"] and "33%" in summary
    units = re.search(r'data-testid="by-unit">.*?</table>', page, re.S).group(0)
    assert f'?unit={org.abag.pk}">阿巴嘎旗委组织部</a>' in units and "50%" in units
    page = html(client.get(f"/study/lists/{study.league_list.pk}/completion/?unit={org.abag.pk}"))
    assert person_rows(page) == {"巴依斯古楞", "王芳"}
    page = html(client.get(f"/study/lists/{study.league_list.pk}/completion/?state=overdue"))
    assert person_rows(page) == {"王芳", "巴图"}


def test_the_report_of_a_draft_redirects_to_the_list(users, study, client_for):
    response = client_for(users.league_admin).get(f"/study/lists/{study.draft.pk}/completion/")
    assert response.status_code == 302


def test_the_report_costs_the_same_queries_for_more_people_and_items(
    org, users, study, client_for, django_assert_max_num_queries
):
    client = client_for(users.league_admin)
    url = f"/study/lists/{study.league_list.pk}/completion/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(12):
        person = add_person(org.abag_section if n % 2 else org.xilin_section, f"新人{n}", 100 + n)
        StudyProgress.objects.create(item=study.reading, person=person, hours=Decimal("2"), studied_on=days(-1))
    add_item(users.league_admin, study.league_list, "又一项", "1", days(-2))
    with django_assert_max_num_queries(len(few)):
        page = html(client.get(url))
    assert "新人11" in page and "又一项" in page
    assert len(few) <= 15


def test_an_admin_opens_one_persons_progress(org, users, study, client_for):
    log(users.cadre, study.reading, "1.5", days(-1), note="读了一半")
    url = f"/study/lists/{study.league_list.pk}/people/{org.bayi.pk}/"
    page = html(client_for(users.abag_admin).get(url))
    assert "读了一半" in page and "已逾期" in page
    assert client_for(users.xilin_admin).get(url).status_code == 404
    assert (
        client_for(users.abag_admin).get(f"/study/lists/{study.league_list.pk}/people/{org.xilin_person.pk}/").status_code == 404
    )
    assert client_for(users.cadre).get(url).status_code == 403


# --- plans ------------------------------------------------------------------------------------


def plan_post(**extra):
    data = {
        "year": "2026",
        "title": "2026年度个人学习计划",
        "goals": "读原著",
        "target_hours": "60",
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-0-text": "读《学习纲要》",
        "steps-0-due_date": "2026.12.31",
        "steps-1-text": "写心得体会",
        "steps-1-done": "on",
        "steps-2-text": "",
    }
    return data | extra


def test_a_cadre_keeps_a_plan_and_ticks_steps_off(users, client_for):
    client = client_for(users.cadre)
    response = client.post("/study/plans/new/", plan_post())
    plan = StudyPlan.objects.get()
    assert response["Location"] == f"/study/plans/{plan.pk}/"
    assert [(s.text, str(s.due_date), s.done) for s in plan.items.all()] == [
        ("读《学习纲要》", "2026-12-31", False),
        ("写心得体会", "None", True),
    ]
    step = plan.items.first()
    client.post(f"/study/plan-steps/{step.pk}/toggle/")
    step.refresh_from_db()
    assert step.done
    page = html(client.get(f"/study/plans/{plan.pk}/"))
    assert f"/study/plans/{plan.pk}/edit/" in page
    response = client.post(
        f"/study/plans/{plan.pk}/edit/",
        plan_post(**{"steps-TOTAL_FORMS": "2", "steps-0-DELETE": "on", "steps-1-text": "写两篇心得体会"}),
    )
    assert [s.text for s in plan.items.all()] == ["写两篇心得体会"]


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"steps-1-text": "", "steps-1-due_date": "2026-12-01"}, "第2项 计划内容：请填写计划内容"),
        ({"steps-0-due_date": "年底"}, "第1项 计划完成日期：无法识别的日期"),
        ({"year": "26"}, "年度不正确"),
        ({"target_hours": "很多"}, "计划学时应为数字"),
        ({"title": ""}, "请填写计划名称"),
    ],
)
def test_bad_plan_input_names_the_row_or_field(extra, message, users, client_for):
    response = client_for(users.cadre).post("/study/plans/new/", plan_post(**extra))
    assert response.status_code == 200 and message in html(response)
    assert not StudyPlan.objects.exists()


@pytest.mark.parametrize(
    "role, view",
    [
        ("cadre", 200),
        ("league_admin", 200),
        ("abag_admin", 200),
        ("abag_reviewer", 200),
        ("xilin_admin", 404),
        ("judge", 404),
        ("auditor", 404),
    ],
)
def test_plans_are_read_in_the_subtree_and_edited_only_by_the_owner(role, view, users, client_for):
    plan = services.study_plan_save(actor=users.cadre, year=2026, title="我的计划", items=[{"text": "一"}])
    step = plan.items.get()
    client = client_for(getattr(users, role))
    response = client.get(f"/study/plans/{plan.pk}/")
    assert response.status_code == view
    if view == 200:
        assert ("/edit/" in html(response)) is (role == "cadre")
    if role != "cadre":
        assert client.get(f"/study/plans/{plan.pk}/edit/").status_code == 404  # another person's plan: out of scope for editing
        assert client.post(f"/study/plan-steps/{step.pk}/toggle/").status_code == 404
        step.refresh_from_db()
        assert not step.done


def test_an_admin_lists_the_plans_of_their_people(org, users, client_for, django_assert_max_num_queries):
    services.study_plan_save(actor=users.cadre, year=2026, title="巴依的计划", items=[])
    client = client_for(users.abag_admin)
    page = html(client.get("/study/plans/"))
    assert "巴依的计划" in page and "巴依斯古楞" in page
    assert "巴依的计划" not in html(client_for(users.xilin_admin).get("/study/plans/"))
    client = client_for(users.abag_admin)
    assert "巴依的计划" not in html(client.get(f"/study/plans/?unit={org.abag.pk}&year=2025"))
    assert "巴依的计划" in html(client.get("/study/plans/?q=bysgl"))
    with django_assert_max_num_queries(10):
        client.get("/study/plans/")


# --- notes ------------------------------------------------------------------------------------


def test_a_cadre_writes_a_reflection_on_an_item(users, study, client_for):
    client = client_for(users.cadre)
    form_page = html(client.get(f"/study/notes/new/?item={study.reading.pk}&kind=reflection"))
    assert f'<option value="{study.reading.pk}" selected>' in form_page
    assert study.draft_item.title not in form_page
    response = client.post(
        "/study/notes/new/", {"kind": "reflection", "title": "学习体会", "body": "第一段\n\n第二段", "item": study.reading.pk}
    )
    note = StudyNote.objects.get()
    assert response["Location"] == f"/study/notes/{note.pk}/"
    page = html(client.get(f"/study/notes/{note.pk}/"))
    assert "<p>第一段</p>" in page and study.reading.title in page and "心得体会" in page
    assert AuditEntry.objects.filter(action=Action.STUDY_NOTE_SAVE, actor=users.cadre).exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"title": ""}, "请填写标题"),
        ({"body": "   "}, "请填写正文"),
        ({"item": "DRAFT"}, "所选学习内容没有下发给您"),
        ({"kind": "diary"}, "选择一个有效的选项"),
    ],
)
def test_bad_note_input_is_refused(data, message, users, study, client_for):
    post = {"kind": "note", "title": "笔记", "body": "正文", "item": ""} | data
    if post["item"] == "DRAFT":
        post["item"] = study.draft_item.pk
    response = client_for(users.cadre).post("/study/notes/new/", post)
    assert response.status_code == 200 and message in html(response)
    assert not StudyNote.objects.exists()


@pytest.mark.parametrize(
    "role, view",
    [
        ("cadre", 200),
        ("league_admin", 200),
        ("abag_admin", 200),
        ("abag_reviewer", 200),
        ("xilin_admin", 404),
        ("judge", 404),
        ("secadmin", 404),
    ],
)
def test_notes_are_read_in_the_subtree_and_edited_only_by_the_owner(role, view, users, client_for):
    note = services.study_note_save(actor=users.cadre, kind="note", title="我的笔记", body="正文")
    client = client_for(getattr(users, role))
    response = client.get(f"/study/notes/{note.pk}/")
    assert response.status_code == view
    if view == 200:
        assert ("/edit/" in html(response)) is (role == "cadre")
    if role != "cadre":
        assert client.get(f"/study/notes/{note.pk}/edit/").status_code == 404
        client.post(f"/study/notes/{note.pk}/edit/", {"kind": "note", "title": "改了", "body": "改了"})
        note.refresh_from_db()
        assert note.title == "我的笔记"


def test_the_note_list_filters_by_kind_and_unit(org, users, client_for, django_assert_max_num_queries):
    services.study_note_save(actor=users.cadre, kind="note", title="一篇笔记", body="正文")
    services.study_note_save(actor=users.cadre, kind="reflection", title="一篇心得", body="正文")
    client = client_for(users.league_admin)
    page = html(client.get("/study/notes/?kind=reflection"))
    assert "一篇心得" in page and "一篇笔记" not in page
    assert "一篇心得" not in html(client.get(f"/study/notes/?unit={org.xilin.pk}"))
    with django_assert_max_num_queries(10):
        client.get("/study/notes/")


def test_without_a_roster_entry_one_cannot_write_plans_or_notes(users, client_for):
    client = client_for(users.abag_admin)
    for url in ("/study/plans/new/", "/study/notes/new/"):
        response = client.get(url)
        assert response.status_code == 403 and "没有关联花名册人员" in html(response)


def test_the_league_edits_a_county_list_without_losing_its_section_targets(org, users, study, client_for):
    client = client_for(users.league_admin)
    page = html(client.get(f"/study/lists/{study.abag_list.pk}/edit/"))
    assert re.search(rf'value="{org.abag_section.pk}"[^>]*checked', page)
    response = client.post(
        f"/study/lists/{study.abag_list.pk}/edit/",
        {
            "title": "阿巴嘎旗组工干部业务学习（修订）",
            "description": "",
            "unit": org.abag.pk,
            "target_units": [org.abag_section.pk],
        },
    )
    assert response.status_code == 302
    study.abag_list.refresh_from_db()
    assert study.abag_list.title.endswith("（修订）") and list(study.abag_list.target_units.all()) == [org.abag_section]
    entry = AuditEntry.objects.filter(action=Action.STUDY_LIST_UPDATE, target_type="study.studylist").latest("pk")
    assert set(entry.changes) == {"title"}
