"""The pages and the API as a department uses them: setting a contest up from the form (and
being told which line is wrong), entering, what entrants see before and after publishing, the
organiser's one-line corrections, the API's messages; query counts of the lists."""

import datetime as dt

import pytest
from django.urls import reverse

from xuebi.contests.models import Assignment, AssignmentStatus, Contest, Stage
from xuebi.contests.selectors import results as result_selectors
from xuebi.contests.services import contests as setup
from xuebi.contests.services import results

from .conftest import make_contest, score_all, submit, to_review

FORM = {
    "title": "“学思践悟”调研文章评比",
    "kind": "essay",
    "description": "",
    "entry_start": "2026.11.1",
    "entry_end": "2026年11月30日",
    "review_start": "2026-12-01",
    "review_end": "2026/12/10",
    "blind": "on",
    "judges_per_entry": "5",
    "trim_from": "5",
    "tie_break": "share",
    "award_by": "count",
    "criteria": "内容 40\n表达 30\n仪态 20\n时间 10",
    "levels": "一等奖 1 10\n二等奖 2 6\n三等奖 3 4\n优秀奖 其余 2",
}


def test_a_league_admin_sets_a_contest_up_from_the_form(client, org, users, campaign, work):
    client.force_login(users.league_admin)
    answer = client.post(
        reverse("contests:contest_create"), {**FORM, "organizer": org.league.pk, "campaign": campaign.pk, "indicator": work.pk}
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    contest = Contest.objects.get()
    assert [c.name for c in contest.criteria.all()] == ["内容", "表达", "仪态", "时间"]
    assert [(lv.name, lv.count) for lv in contest.levels.all()] == [("一等奖", 1), ("二等奖", 2), ("三等奖", 3), ("优秀奖", None)]
    assert contest.entry_end == dt.date(2026, 11, 30)
    from xuebi.campaign.models import Rule

    rule = Rule.objects.get(source_type="contest", source_kind=contest.source_kind)
    assert rule.lookup == {"一等奖": "10", "二等奖": "6", "三等奖": "4", "优秀奖": "2"} and rule.indicator == work


def test_a_wrong_line_is_named_and_nothing_is_saved(client, org, users):
    client.force_login(users.league_admin)
    answer = client.post(
        reverse("contests:contest_create"),
        {**FORM, "organizer": org.league.pk, "criteria": "内容 40\n表达 很好", "review_end": "2026-11-01"},
    )
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "评分标准第 2 行：满分“很好”不是数字。" in body
    assert not Contest.objects.exists()


def test_entrants_see_no_scores_until_the_results_are_published(client, api, org, users, judges, people):
    contest = make_contest(users, judges_per_entry=2)
    setup.panels_save(
        actor=users.league_admin,
        contest=contest,
        panels=[{"name": "评审组", "is_final": False, "judges": [judges.j1, judges.j2]}],
    )
    entry = submit(users, contest, org.bayi, "草原上的党课")
    other = submit(users, contest, org.abag_other, "第二篇")
    Assignment.objects.bulk_create([Assignment(entry=e, judge=j) for e in (entry, other) for j in (judges.j1, judges.j2)])
    to_review(contest)
    score_all(contest, lambda a: 91 if a.entry_id == entry.pk else 80)
    client.force_login(users.cadre)
    body = client.get(reverse("contests:entry_detail", args=[entry.pk])).content.decode()
    assert "91" not in body and "名次" not in body and "一等奖" not in body
    assert api.get(users.cadre, f"/contests/{contest.pk}/results").json()["rows"] == []
    assert api.get(users.cadre, "/contests/judging").status_code == 403
    results.publish(actor=users.league_admin, contest=contest)
    body = client.get(reverse("contests:entry_detail", args=[entry.pk])).content.decode()
    assert "第 1 名，91.00 分" in body and "一等奖" in body
    rows = api.get(users.cadre, f"/contests/{contest.pk}/results").json()["rows"]
    assert [(r["title"], r["level"]) for r in rows] == [("草原上的党课", "一等奖"), ("第二篇", "二等奖")]
    assert "totals" not in rows[0]  # no judge's own score reaches an entrant


def test_a_judge_sees_only_their_own_scores(api, org, users, judges, people):
    contest = make_contest(users, judges_per_entry=2)
    entry = submit(users, contest, org.bayi, "草原上的党课")
    mine = Assignment.objects.create(entry=entry, judge=judges.j1)
    theirs = Assignment.objects.create(entry=entry, judge=judges.j2)
    to_review(contest)
    score_all(contest, lambda a: 70)
    assert api.get(judges.j1, f"/contests/judging/{theirs.pk}").status_code == 404
    detail = api.get(judges.j1, f"/contests/judging/{mine.pk}").json()
    assert detail["total"] == "70.00"
    assert api.get(judges.j1, f"/contests/{contest.pk}/results").json()["rows"] == []


def test_the_api_scores_and_names_the_wrong_field(api, org, users, judges):
    contest = make_contest(users)
    entry = submit(users, contest, org.bayi, "调研")
    mine = Assignment.objects.create(entry=entry, judge=judges.j1)
    to_review(contest)
    content = contest.criteria.first()
    answer = api.post(
        judges.j1,
        f"/contests/judging/{mine.pk}/scores",
        {"scores": [{"criterion_id": content.pk, "value": "39.999"}], "submit": False},
    )
    assert answer.status_code == 422 and "“内容”的得分最多保留两位小数。" in str(answer.json())
    values = [{"criterion_id": c.pk, "value": str(c.max_score)} for c in contest.criteria.all()]
    answer = api.post(judges.j1, f"/contests/judging/{mine.pk}/scores", {"scores": values, "submit": True})
    assert answer.status_code == 200 and answer.json()["status"] == "submitted" and answer.json()["total"] == "100.00"


def test_the_api_sets_a_contest_up_and_refuses_a_bad_scheme(api, org, users, work):
    body = {
        "title": "演讲比赛",
        "kind": "speech",
        "entry_start": "2026-11-01",
        "entry_end": "2026-11-30",
        "review_start": "2026-12-01",
        "review_end": "2026-12-01",
        "live": True,
        "criteria": [{"name": "内容", "max_score": "40"}, {"name": "表达", "max_score": "60"}],
        "levels": [{"name": "一等奖", "count": 1, "points": "5"}, {"name": "优秀奖"}],
    }
    answer = api.post(users.league_admin, "/contests", body)
    assert answer.status_code == 201, answer.json()
    assert [c["name"] for c in answer.json()["criteria"]] == ["内容", "表达"]
    bad = api.post(users.league_admin, "/contests", {**body, "levels": [{"name": "优秀奖"}, {"name": "一等奖", "count": 1}]})
    assert bad.status_code == 422 and "“其余”只能用于最后一个奖项" in str(bad.json())
    assert api.post(users.abag_admin, "/contests", body).status_code == 403
    orphan = api.post(users.league_admin, "/contests", {**body, "indicator_id": work.pk})  # an indicator without its campaign
    assert orphan.status_code == 422 and "请同时选择计入的活动" in str(orphan.json())
    assert Contest.objects.count() == 1


def test_the_organiser_adds_a_judge_by_code_and_sends_a_score_back(client, org, users, judges):
    contest = make_contest(users, judges_per_entry=1)
    setup.panels_save(
        actor=users.league_admin,
        contest=contest,
        panels=[{"name": "评审组", "is_final": False, "judges": [judges.j1, judges.j3]}],
    )
    entry = submit(users, contest, org.xilin_person, "调研")
    client.force_login(users.league_admin)
    client.post(
        reverse("contests:assignment_add", args=[contest.pk]),
        {"code": entry.code.lower(), "judge": judges.j3.pk, "stage": "prelim"},
    )
    mine = Assignment.objects.get(entry=entry, judge=judges.j3)
    to_review(contest)
    score_all(contest, lambda a: 80)
    answer = client.post(
        reverse("contests:contest_reopen", args=[contest.pk]),
        {"code": entry.code, "judge": judges.j3.pk, "reason": "内容一项录错"},
        follow=True,
    )
    assert "已退回" in answer.content.decode()
    mine.refresh_from_db()
    assert mine.status == AssignmentStatus.SAVED and mine.reopened == 1
    answer = client.post(
        reverse("contests:contest_reopen", args=[contest.pk]), {"code": "NOPE", "judge": judges.j3.pk, "reason": "x"}, follow=True
    )
    assert "没有找到评委" in answer.content.decode()


def test_normalised_and_raw_results_both_show(org, users, judges, people, client):
    contest = make_contest(users, judges_per_entry=1, normalise=True, levels="一等奖 1 0")
    setup.panels_save(
        actor=users.league_admin,
        contest=contest,
        panels=[{"name": "评审组", "is_final": False, "judges": [judges.j1, judges.j2]}],
    )
    made = [submit(users, contest, p, f"作品{i}") for i, p in enumerate(people.abag + people.xilin[:1])]
    # judge 1 (strict) sees the first two, judge 2 (lenient) the last two
    for e, j in zip(made, (judges.j1, judges.j1, judges.j2, judges.j2)):
        Assignment.objects.create(entry=e, judge=j, stage=Stage.PRELIM)
    to_review(contest)
    raw = {made[0].pk: 60, made[1].pk: 70, made[2].pk: 90, made[3].pk: 80}
    score_all(contest, lambda a: raw[a.entry_id])
    rows = {r.entry.pk: r for r in result_selectors.results(contest).rows}
    assert rows[made[1].pk].aggregate.score == rows[made[2].pk].aggregate.score  # each judge's best, level
    assert rows[made[1].pk].raw.score == 70 and rows[made[2].pk].raw.score == 90
    client.force_login(users.league_admin)
    body = client.get(reverse("contests:contest_results", args=[contest.pk])).content.decode()
    assert "原始得分" in body and "70.00" in body


@pytest.mark.parametrize("url", ["contests:contest_list", "contests:judging_home"])
def test_lists_take_a_fixed_number_of_queries(client, org, users, judges, people, django_assert_max_num_queries, url):
    for n in range(3):
        contest = make_contest(users, title=f"评比{n}")
        setup.panels_save(
            actor=users.league_admin, contest=contest, panels=[{"name": "评审组", "is_final": False, "judges": [users.judge]}]
        )
        for i, person in enumerate(people.abag + people.xilin):
            entry = submit(users, contest, person, f"作品{n}-{i}")
            Assignment.objects.create(entry=entry, judge=users.judge)
    client.force_login(users.judge if url == "contests:judging_home" else users.league_admin)
    with django_assert_max_num_queries(12):
        assert client.get(reverse(url)).status_code == 200


def test_who_may_enter_is_set_on_the_form_and_through_the_api(client, api, org, users):
    client.force_login(users.league_admin)
    answer = client.post(reverse("contests:contest_create"), {**FORM, "organizer": org.league.pk, "units": [org.xilin.pk]})
    assert answer.status_code == 302
    contest = Contest.objects.get()
    assert list(contest.units.all()) == [org.xilin]
    setup.contest_open(actor=users.league_admin, contest=contest)
    from django.core.exceptions import ValidationError

    from xuebi.contests.services import entries

    with pytest.raises(ValidationError, match="不在本次评比的参评单位范围内"):
        entries.entry_submit(actor=users.cadre, contest=contest, title="调研", text="x", authors=[org.bayi])
    body = api.get(users.league_admin, f"/contests/{contest.pk}").json()
    criteria = [{"name": c["name"], "max_score": c["max_score"]} for c in body["criteria"]]
    levels = [{"name": lv["name"], "count": lv["count"], "points": lv["points"]} for lv in body["levels"]]
    keep = {k: body[k] for k in ("title", "kind", "entry_start", "entry_end", "review_start", "review_end")}
    answer = client.put(
        f"/api/v1/contests/{contest.pk}",
        {**keep, "criteria": criteria, "levels": levels, "person_ids": [org.xilin_person.pk]},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["person_ids"] == [org.xilin_person.pk] and answer.json()["unit_ids"] == []
    with pytest.raises(ValidationError, match="不在本次评比的参评人员名单中"):
        submit(users, contest, org.league_person, "调研")
