"""/api/v1 indicators and rules: the pages' validator and services behind JSON; a change of figures
answers with the new rule that supersedes the old one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xuebi.audit.models import Action, AuditEntry
from xuebi.campaign.models import Indicator, Rule
from xuebi.campaign.services.rules import rule_create
from xuebi.campaign.services.campaigns import campaign_update

from .test_rules import ROLES, READERS, campaign, kinds, self_study, theory, work  # noqa: F401  (fixtures)

D = Decimal

LOOKUP_RULE = {
    "name": "组工信息按采用级别计分",
    "source_kind": "org_info",
    "method": "lookup",
    "field_key": "level",
    "lookup": {"中央": 10, "自治区": 5, "盟": 2, "未采用": 0.5},
}


@pytest.mark.parametrize("role", ROLES)
def test_the_api_for_every_role(role, self_study, theory, work, campaign, users, api):
    user = getattr(users, role)
    admin = role == "league_admin"
    calls = [
        (api.get(user, f"/campaigns/{campaign.pk}/indicators"), 200 if role in READERS else 403),
        (api.get(user, f"/campaigns/{campaign.pk}/rules"), 200 if role in READERS else 403),
        (
            api.post(
                user, f"/campaigns/{campaign.pk}/indicators", {"dimension": "business", "name": "业务学习", "max_points": 20}
            ),
            201 if admin else 403,
        ),
        (api.patch(user, f"/indicators/{theory.pk}", {"max_points": "35"}), 200 if admin else 403),
        (api.post(user, f"/campaigns/{campaign.pk}/rules", {**LOOKUP_RULE, "indicator_id": work.pk}), 201 if admin else 403),
        (api.patch(user, f"/rules/{self_study.pk}", {"name": "自学"}), 200 if admin else 403),
        (api.post(user, f"/rules/{self_study.pk}/deactivate"), 200 if admin else 403),
    ]
    assert [response.status_code for response, _ in calls] == [status for _, status in calls]
    if not admin:
        assert Indicator.objects.count() == 2 and list(Rule.objects.values_list("name", "is_active")) == [("自学每项1分", True)]
        assert calls[-1][0].json()["detail"] == "只有盟级管理员可以设置考核指标和积分规则。"


def test_readers_get_the_score_sheet(self_study, theory, work, campaign, users, api):
    indicators = api.get(users.cadre, f"/campaigns/{campaign.pk}/indicators").json()
    assert [(i["name"], i["dimension"], i["dimension_display"], i["max_points"]) for i in indicators] == [
        ("理论学习", "theory", "学理论", "30.00"),
        ("工作实绩", "work", "比工作", "25.00"),
    ]
    rules = api.get(users.cadre, f"/campaigns/{campaign.pk}/rules").json()
    assert len(rules) == 1
    rule = rules[0]
    assert (
        rule["name"],
        rule["indicator_id"],
        rule["source_kind"],
        rule["method"],
        rule["points"],
        rule["cap_day"],
        rule["recipients"],
        rule["is_active"],
        rule["supersedes"],
    ) == ("自学每项1分", theory.pk, "self_study", "fixed", "1.00", "2.00", "author", True, None)
    assert api.get(users.cadre, f"/campaigns/{campaign.pk + 100}/rules").status_code == 404


def test_creating_a_lookup_rule_with_numbers_or_typed_lines(work, kinds, campaign, users, api):
    response = api.post(users.league_admin, f"/campaigns/{campaign.pk}/rules", {**LOOKUP_RULE, "indicator_id": work.pk})
    assert response.status_code == 201
    assert response.json()["lookup"] == {"中央": "10", "自治区": "5", "盟": "2", "未采用": "0.5"}
    response = api.post(
        users.league_admin,
        f"/campaigns/{campaign.pk}/rules",
        {**LOOKUP_RULE, "name": "组工信息（按行）", "indicator_id": work.pk, "lookup": "中央=10\n自治区=5\n盟=2\n未采用=0.5"},
    )
    assert response.status_code == 201 and response.json()["lookup"] == {"中央": "10", "自治区": "5", "盟": "2", "未采用": "0.5"}
    assert AuditEntry.objects.filter(action=Action.RULE_SAVE).count() == 2


@pytest.mark.parametrize(
    "payload, loc, message",
    [
        ({"field_key": "title"}, "field_key", "计分字段：按选项计分须选择单选字段，“标题”不是单选字段。"),
        ({"lookup": {"中央": "十"}}, "lookup", "选项分值：第1行“中央”的分值“十”不是数字。"),
        ({"lookup": {}}, "lookup", "选项分值：按选项计分须填写选项分值，每行一个，如 中央=10。"),
        ({"source_kind": "nope"}, "source_kind", "台账类型：没有启用的台账类型“nope”。"),
        ({"cap_week": 0}, "cap_week", "每周上限：每周上限应大于0；不设上限请留空。"),
        ({"indicator_id": 99999}, "indicator_id", "考核指标：请选择本活动的考核指标。"),
        (
            {"method": "per_unit", "points": 0.5, "lookup": None, "field_key": "title"},
            "field_key",
            "计分字段：按数值计分须选择数字字段，“标题”不是数字字段。",
        ),
    ],
)
def test_bad_rules_are_refused_naming_the_field(payload, loc, message, work, kinds, campaign, users, api):
    response = api.post(
        users.league_admin, f"/campaigns/{campaign.pk}/rules", {**LOOKUP_RULE, "indicator_id": work.pk, **payload}
    )
    assert response.status_code == 422
    assert {"loc": ["body", loc], "msg": message} in response.json()["detail"]
    assert not Rule.objects.exists()


def test_bad_indicators_are_refused_naming_the_field(theory, campaign, users, api):
    response = api.post(users.league_admin, f"/campaigns/{campaign.pk}/indicators", {"dimension": "theory", "name": "理论学习"})
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body", "name"], "msg": "指标名称：本活动已有名为“理论学习”的指标。"}]
    response = api.patch(users.league_admin, f"/indicators/{theory.pk}", {"max_points": -1})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "max_points"]
    assert api.patch(users.league_admin, f"/indicators/{theory.pk + 100}", {"name": "x"}).status_code == 404
    theory.refresh_from_db()
    assert theory.max_points == D("30") and Indicator.objects.count() == 1


def test_patching_figures_answers_with_the_new_rule(self_study, campaign, users, api):
    response = api.patch(users.league_admin, f"/rules/{self_study.pk}", {"points": 2, "cap_day": None})
    assert response.status_code == 200
    new = response.json()
    assert new["id"] != self_study.pk and new["supersedes"] == self_study.pk
    assert (new["points"], new["cap_day"], new["name"], new["is_active"]) == ("2.00", None, "自学每项1分", True)
    self_study.refresh_from_db()
    assert not self_study.is_active and self_study.cap_day == D("2")
    listing = api.get(users.cadre, f"/campaigns/{campaign.pk}/rules").json()
    assert [r["id"] for r in listing] == [new["id"]]
    history = api.get(users.cadre, f"/campaigns/{campaign.pk}/rules", include_inactive="true").json()
    assert sorted((r["id"], r["is_active"]) for r in history) == [(self_study.pk, False), (new["id"], True)]
    # The old version is history now: it is not changed or stopped again.
    response = api.patch(users.league_admin, f"/rules/{self_study.pk}", {"points": 3})
    assert response.status_code == 422 and "已被新规则取代" in response.json()["detail"][0]["msg"]
    assert api.post(users.league_admin, f"/rules/{self_study.pk}/deactivate").status_code == 422


def test_patching_only_the_name_keeps_the_rule(self_study, users, api):
    response = api.patch(users.league_admin, f"/rules/{self_study.pk}", {"name": "自学"})
    assert response.status_code == 200 and response.json()["id"] == self_study.pk and response.json()["name"] == "自学"
    assert Rule.objects.count() == 1


def test_deactivating_by_the_api(self_study, users, api):
    response = api.post(users.league_admin, f"/rules/{self_study.pk}/deactivate")
    assert response.status_code == 200 and response.json()["is_active"] is False
    response = api.post(users.league_admin, f"/rules/{self_study.pk}/deactivate")
    assert response.status_code == 422 and response.json()["detail"] == [{"loc": ["body"], "msg": "该规则已经停用。"}]
    assert api.post(users.league_admin, f"/rules/{self_study.pk + 100}/deactivate").status_code == 404


def test_a_closed_campaign_refuses_changes_by_the_api(self_study, theory, campaign, users, api):
    campaign_update(actor=users.league_admin, campaign=campaign, is_closed=True)
    response = api.post(
        users.league_admin,
        f"/campaigns/{campaign.pk}/rules",
        {"name": "x", "indicator_id": theory.pk, "source_kind": "self_study", "points": 1},
    )
    assert response.status_code == 422 and "已结束" in response.json()["detail"][0]["msg"]
    assert api.patch(users.league_admin, f"/rules/{self_study.pk}", {"points": 5}).status_code == 422
    assert list(Rule.objects.values_list("points", "is_active")) == [(D("1"), True)]


def test_the_rule_list_costs_the_same_queries_for_one_rule_or_many(
    self_study, theory, campaign, users, api, django_assert_max_num_queries
):
    api.get(users.cadre, f"/campaigns/{campaign.pk}/rules")
    with django_assert_max_num_queries(6):
        api.get(users.cadre, f"/campaigns/{campaign.pk}/rules")
    for n in range(10):
        rule_create(actor=users.league_admin, campaign=campaign, indicator=theory, name=f"规则{n}", source_kind="self_study")
    with django_assert_max_num_queries(6):
        assert len(api.get(users.cadre, f"/campaigns/{campaign.pk}/rules").json()) == 11
