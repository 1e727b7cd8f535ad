"""/api/v1/study/…: the role matrix, the same rules and Chinese messages as the pages."""

from __future__ import annotations

import pytest

from xuebi.audit.models import Action, AuditEntry
from xuebi.study import services
from xuebi.study.models import StudyNote, StudyPlan, StudyProgress
from xuebi.testing.helpers import days, log

pytestmark = pytest.mark.django_db

SEPARATED = ["sysadmin", "secadmin", "auditor", "nobody"]


def titles(response) -> set[str]:
    assert response.status_code == 200, response.content.decode()
    return {row["title"] for row in response.json()["items"]}


def messages(response) -> str:
    assert response.status_code == 422, response.content.decode()
    return " ".join(e["msg"] for e in response.json()["detail"])


# --- lists ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, expected",
    [
        ("league_admin", {"league_list", "abag_list", "draft"}),
        ("abag_admin", {"league_list", "abag_list"}),
        ("abag_reviewer", {"league_list", "abag_list"}),
        ("cadre", {"league_list", "abag_list"}),
        ("xilin_admin", {"league_list"}),
        ("judge", set()),
    ],
)
def test_lists_by_role(role, expected, api, users, study):
    got = titles(api.get(getattr(users, role), "/study/lists"))
    assert got == {getattr(study, n).title for n in expected}


@pytest.mark.parametrize("role", SEPARATED)
def test_separated_roles_get_403_on_every_study_endpoint(role, api, users, study):
    user = getattr(users, role)
    for path in (
        "/study/lists",
        f"/study/lists/{study.league_list.pk}",
        f"/study/lists/{study.league_list.pk}/completion",
        "/study/plans",
        "/study/notes",
    ):
        assert api.get(user, path).status_code == 403, path
    assert api.post(user, "/study/progress", {"item_id": study.reading.pk, "hours": 1}).status_code == 403
    assert api.post(user, "/study/notes", {"title": "x", "body": "y"}).status_code == 403


def test_a_list_carries_the_callers_own_progress(api, users, study):
    log(users.cadre, study.reading, "2", days(-1))
    body = api.get(users.cadre, f"/study/lists/{study.league_list.pk}").json()
    assert body["reaches_me"] is True and body["target_unit_ids"] and body["item_count"] == 3
    items = {i["title"]: i for i in body["items"]}
    assert (items[study.reading.title]["hours_done"], items[study.reading.title]["is_complete"]) == (2.0, True)
    assert items[study.book.title]["is_overdue"] is False
    admin_view = api.get(users.league_admin, f"/study/lists/{study.league_list.pk}").json()
    assert admin_view["reaches_me"] is False and admin_view["items"][0]["hours_done"] is None


def test_a_list_out_of_scope_is_not_found(api, users, study):
    assert api.get(users.xilin_admin, f"/study/lists/{study.abag_list.pk}").status_code == 404
    assert api.get(users.cadre, f"/study/lists/{study.draft.pk}").status_code == 404
    assert api.get(users.xilin_admin, f"/study/lists/{study.abag_list.pk}/completion").status_code == 404


# --- progress ---------------------------------------------------------------------------------


def test_logging_progress_through_the_api(api, users, study):
    response = api.post(
        users.cadre,
        "/study/progress",
        {"item_id": study.book.pk, "hours": "2.5", "studied_on": days(-1).strftime("%Y年%m月%d日"), "note": "读书"},
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert (body["hours"], body["studied_on"], body["item_hours_done"], body["item_complete"]) == (
        2.5,
        days(-1).isoformat(),
        2.5,
        False,
    )
    assert AuditEntry.objects.filter(action=Action.STUDY_PROGRESS, actor=users.cadre).exists()
    today = api.post(users.cadre, "/study/progress", {"item_id": study.video.pk, "hours": 1})
    assert today.status_code == 201 and today.json()["studied_on"] == days(0).isoformat() and today.json()["item_complete"]


@pytest.mark.parametrize(
    "payload, loc, message",
    [
        ({"hours": 0}, "hours", "学时：学时须大于0"),
        ({"hours": 30}, "hours", "单次登记的学时不能超过24小时"),
        ({"hours": "1.25"}, "hours", "学时最多保留1位小数"),
        ({"hours": "一小时"}, "hours", "学时应为数字"),
        ({"studied_on": "FUTURE"}, "studied_on", "学习日期：学习日期不能晚于今天"),
        ({"studied_on": "去年"}, "studied_on", "无法识别的日期"),
    ],
)
def test_bad_progress_gets_422_in_chinese_and_saves_nothing(payload, loc, message, api, users, study):
    if payload.get("studied_on") == "FUTURE":
        payload["studied_on"] = days(2).isoformat()
    response = api.post(users.cadre, "/study/progress", {"item_id": study.book.pk, "hours": 1} | payload)
    assert message in messages(response)
    assert response.json()["detail"][0]["loc"] == ["body", loc]
    assert not StudyProgress.objects.exists()


def test_the_day_limit_and_the_item_scope_hold_in_the_api(api, users, study):
    log(users.cadre, study.reading, "24", days(-1))
    response = api.post(
        users.cadre, "/study/progress", {"item_id": study.book.pk, "hours": 1, "studied_on": days(-1).isoformat()}
    )
    assert "超过每天24小时" in messages(response)
    assert api.post(users.cadre, "/study/progress", {"item_id": study.draft_item.pk, "hours": 1}).status_code == 404
    response = api.post(users.abag_admin, "/study/progress", {"item_id": study.reading.pk, "hours": 1})
    assert response.status_code == 403 and "没有关联花名册人员" in response.json()["detail"]
    missing = api.post(users.cadre, "/study/progress", {"hours": 1})
    assert missing.status_code == 422 and "必须填写" in missing.json()["detail"][0]["msg"]
    assert StudyProgress.objects.count() == 1


# --- completion -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status, people",
    [
        ("league_admin", 200, {"巴依斯古楞", "王芳", "巴图"}),
        ("abag_admin", 200, {"巴依斯古楞", "王芳"}),
        ("abag_reviewer", 200, {"巴依斯古楞", "王芳"}),
        ("xilin_admin", 200, {"巴图"}),
        ("cadre", 403, None),
        ("judge", 403, None),
    ],
)
def test_completion_by_role(role, status, people, api, users, study):
    response = api.get(getattr(users, role), f"/study/lists/{study.league_list.pk}/completion")
    assert response.status_code == status
    if people is not None:
        assert {p["name"] for p in response.json()["by_person"]} == people


def test_completion_figures(org, api, users, study):
    for item in (study.reading, study.video, study.book):
        log(users.cadre, item, "5", days(-11) if item == study.reading else days(0))
    body = api.get(users.league_admin, f"/study/lists/{study.league_list.pk}/completion").json()
    assert (body["reached"], body["complete"], body["percent"], body["overdue"], body["required_hours"]) == (3, 1, 33, 2, 7.0)
    assert {u["unit_name"]: (u["reached"], u["complete"], u["overdue"]) for u in body["by_unit"]} == {
        "阿巴嘎旗委组织部": (2, 1, 1),
        "锡林浩特市委组织部": (1, 0, 1),
    }
    me = next(p for p in body["by_person"] if p["name"] == "巴依斯古楞")
    assert (me["hours_done"], me["items_done"], me["complete"]) == (7.0, 3, True)
    narrowed = api.get(users.league_admin, f"/study/lists/{study.league_list.pk}/completion", unit_id=org.xilin.pk).json()
    assert [p["name"] for p in narrowed["by_person"]] == ["巴图"]
    overdue = api.get(users.league_admin, f"/study/lists/{study.league_list.pk}/completion", state="overdue").json()
    assert {p["name"] for p in overdue["by_person"]} == {"王芳", "巴图"}


# --- plans and notes --------------------------------------------------------------------------


def test_plans_through_the_api(api, users):
    response = api.post(
        users.cadre,
        "/study/plans",
        {
            "year": 2026,
            "title": "年度计划",
            "target_hours": 60,
            "items": [{"text": "读《纲要》", "due_date": "2026年12月31日"}, {"text": "写心得", "done": True}],
        },
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert [(i["text"], i["due_date"], i["done"]) for i in body["items"]] == [
        ("读《纲要》", "2026-12-31", False),
        ("写心得", None, True),
    ]
    assert titles(api.get(users.abag_admin, "/study/plans")) == {"年度计划"}
    assert titles(api.get(users.xilin_admin, "/study/plans")) == set()
    assert titles(api.get(users.cadre, "/study/plans", year=2025)) == set()


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"title": ""}, "请填写计划名称"),
        ({"year": 26}, "年度不正确"),
        ({"items": [{"text": "读书", "due_date": "明年"}]}, "第1项 计划完成日期：无法识别的日期"),
        ({"items": [{"text": "", "done": True}]}, "第1项 计划内容：请填写计划内容"),
    ],
)
def test_bad_plans_get_422_naming_the_field_or_row(payload, message, api, users):
    response = api.post(users.cadre, "/study/plans", {"year": 2026, "title": "计划"} | payload)
    assert message in messages(response)
    assert not StudyPlan.objects.exists()


def test_no_plan_without_a_roster_entry(api, users):
    response = api.post(users.league_admin, "/study/plans", {"year": 2026, "title": "计划"})
    assert response.status_code == 403 and not StudyPlan.objects.exists()


def test_notes_through_the_api(api, users, study):
    response = api.post(
        users.cadre, "/study/notes", {"kind": "reflection", "title": "体会", "body": "正文", "item_id": study.reading.pk}
    )
    assert response.status_code == 201, response.content.decode()
    assert (response.json()["kind_display"], response.json()["item_id"]) == ("心得体会", study.reading.pk)
    assert titles(api.get(users.abag_reviewer, "/study/notes")) == {"体会"}
    assert titles(api.get(users.xilin_admin, "/study/notes")) == set()
    assert titles(api.get(users.cadre, "/study/notes", kind="note")) == set()


@pytest.mark.parametrize(
    "payload, loc, message",
    [
        ({"title": ""}, "title", "请填写标题"),
        ({"body": " "}, "body", "请填写正文"),
        ({"kind": "diary"}, "kind", "类别："),
        ({"item_id": "DRAFT"}, "item_id", "所选学习内容没有下发给您"),
    ],
)
def test_bad_notes_get_422(payload, loc, message, api, users, study):
    if payload.get("item_id") == "DRAFT":
        payload["item_id"] = study.draft_item.pk
    response = api.post(users.cadre, "/study/notes", {"kind": "note", "title": "笔记", "body": "正文"} | payload)
    assert message in messages(response)
    assert response.json()["detail"][0]["loc"] == ["body", loc]
    assert not StudyNote.objects.exists()


def test_list_endpoints_do_not_grow_queries(org, api, users, study, django_assert_max_num_queries):
    api.get(users.league_admin, "/study/lists")
    for n in range(5):
        services.study_list_create(actor=users.league_admin, unit=org.league, title=f"清单{n}", target_units=[org.abag])
        services.study_note_save(actor=users.cadre, kind="note", title=f"笔记{n}", body="正文")
        services.study_plan_save(actor=users.cadre, year=2026, title=f"计划{n}", items=[{"text": "一"}, {"text": "二"}])
    with django_assert_max_num_queries(8):
        assert len(titles(api.get(users.league_admin, "/study/lists"))) == 8
    with django_assert_max_num_queries(8):
        assert len(titles(api.get(users.league_admin, "/study/plans"))) == 5
    with django_assert_max_num_queries(8):
        assert len(titles(api.get(users.league_admin, "/study/notes"))) == 5
