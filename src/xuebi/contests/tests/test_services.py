"""A contest from set-up to published points, through the services."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xuebi.audit.models import AuditEntry
from xuebi.contests.models import Assignment, AssignmentStatus, Award, Contest, EntryStatus, Stage
from xuebi.contests.services import contests as setup
from xuebi.contests.services import entries, judging, results
from xuebi.points.models import EntryType, PointEntry

from .conftest import make_contest, score_all, submit, to_review


def test_the_rubric_and_scheme_lines_name_the_bad_line():
    with pytest.raises(ValidationError, match="评分标准第 2 行"):
        setup.parse_criteria("内容 40\n表达 三十")
    with pytest.raises(ValidationError, match="奖项第 1 行：名额应为正整数"):
        setup.parse_levels("一等奖 1.5 10", "count")
    with pytest.raises(ValidationError, match="比例之和不能超过 100%"):
        setup.parse_levels("一等奖 60% 10\n二等奖 50% 5", "share")
    assert setup.parse_levels("一等奖 10% 10\n优秀奖 其余 2", "share")[1]["share"] is None


def test_only_a_league_admin_sets_a_contest_up(users):
    with pytest.raises(PermissionDenied):
        make_contest(type("U", (), {"league_admin": users.abag_admin})())


def test_entries_open_in_the_window_only_and_keep_their_versions(org, users, people):
    contest = make_contest(users)
    entry = entries.entry_submit(actor=users.cadre, contest=contest, title="牧区党建调研", text="一稿", authors=[org.bayi])
    assert entry.unit == org.abag_section and len(entry.code) == 5
    entry = entries.entry_replace(
        actor=users.cadre, entry=entry, title="牧区党建调研报告", text="二稿", authors=[org.bayi, org.abag_other]
    )
    assert [v.text for v in entry.versions.order_by("number")] == ["一稿", "二稿"]
    assert entry.version == 2
    to_review(contest)
    with pytest.raises(ValidationError, match="不能报送或修改作品"):
        entries.entry_replace(actor=users.cadre, entry=entry, title="三稿", text="三稿", authors=[org.bayi])
    with pytest.raises(ValidationError, match="不能报送或修改作品"):
        submit(users, contest, org.xilin_person, "迟到的作品")
    entry.refresh_from_db()
    assert entry.title == "牧区党建调研报告" and entry.versions.count() == 2


def test_a_cadre_enters_only_their_own_work(org, users):
    contest = make_contest(users)
    with pytest.raises(PermissionDenied):
        entries.entry_submit(actor=users.cadre, contest=contest, title="别人的", text="x", authors=[org.abag_other])
    with pytest.raises(ValidationError, match="不在您可以选择的人员范围内"):
        entries.entry_submit(actor=users.cadre, contest=contest, title="外旗", text="x", authors=[org.bayi, org.xilin_person])


def test_a_blind_entry_may_not_name_its_author_or_unit(org, users):
    contest = make_contest(users)
    with pytest.raises(ValidationError, match="不能出现作者姓名或单位名称（“巴依斯古楞”）"):
        entries.entry_submit(actor=users.cadre, contest=contest, title="调研", text="执笔：巴依斯古楞", authors=[org.bayi])
    assert not contest.entries.exists()


def test_the_entry_must_come_from_an_eligible_unit(org, users):
    contest = make_contest(users)
    contest.units.set([org.xilin])
    with pytest.raises(ValidationError, match="不在本次评比的参评单位范围内"):
        entries.entry_submit(actor=users.cadre, contest=contest, title="调研", text="x", authors=[org.bayi])


def test_assignment_avoids_the_judges_own_department_and_balances(org, users, judges, people):
    contest = make_contest(users)
    setup.panels_save(
        actor=users.league_admin,
        contest=contest,
        panels=[{"name": "评审组", "is_final": False, "judges": [judges.j1, judges.j2, judges.j3, judges.j4, judges.j5]}],
    )
    made = [submit(users, contest, p, f"作品{i}") for i, p in enumerate(people.abag + people.xilin)]
    made.append(submit(users, contest, org.league_person, "盟里的作品"))
    summary = judging.assign(actor=users.league_admin, contest=contest)
    # the league's entry has two judges free of the league department (j3, j4): reported short
    assert summary["short"] == [made[-1].code] and summary["assignments"] == 6 * 3 + 2
    rows = Assignment.objects.filter(entry__contest=contest).select_related("entry__unit", "judge")
    for row in rows:
        assert not (row.judge == judges.j3 and row.entry.unit.path.startswith(org.abag.path))
        assert not (row.judge == judges.j4 and row.entry.unit.path.startswith(org.xilin.path))
        # the league's 组织科 belongs to the league department: j1, j2 (league) and j5 (its section) never score it
        assert not (row.judge in (judges.j1, judges.j2, judges.j5) and row.entry == made[-1])
    loads = [rows.filter(judge=j).count() for j in (judges.j1, judges.j2, judges.j3, judges.j4, judges.j5)]
    assert max(loads) - min(loads) <= 1
    with pytest.raises(ValidationError, match="回避"):
        judging.assignment_add(actor=users.league_admin, entry=made[0], judge=judges.j3)


@pytest.fixture
def judged(org, users, judges, people, campaign, work):
    """Six entries, each scored by the five judges (trimmed), in review."""
    contest = make_contest(users, campaign=campaign, indicator=work, judges_per_entry=5, trim_from=5)
    setup.panels_save(
        actor=users.league_admin,
        contest=contest,
        panels=[{"name": "评审组", "is_final": False, "judges": [judges.j1, judges.j2, judges.j3, judges.j4, judges.j5]}],
    )
    made = [submit(users, contest, p, f"作品{i}") for i, p in enumerate(people.abag + people.xilin)]
    # no conflicts among these: let every judge score every entry
    Assignment.objects.bulk_create(
        [Assignment(entry=e, judge=j, stage=Stage.PRELIM) for e in made for j in vars(judges).values()]
    )
    return to_review(contest), made


def test_a_score_above_the_maximum_or_unassigned_or_after_submitting_is_refused(judged, judges, users):
    contest, made = judged
    content = contest.criteria.first()
    mine = Assignment.objects.get(entry=made[0], judge=judges.j1)
    with pytest.raises(ValidationError, match="“内容”的得分应在 0 到 40 之间"):
        judging.score_save(actor=judges.j1, assignment=mine, values={content.pk: "41"}, submit=False)
    with pytest.raises(ValidationError, match="请为“表达”打分"):
        judging.score_save(actor=judges.j1, assignment=mine, values={content.pk: "30"}, submit=True)
    mine.refresh_from_db()
    assert mine.status == AssignmentStatus.PENDING and not mine.scores.exists()
    Assignment.objects.filter(entry=made[0], judge=judges.j2).delete()
    with pytest.raises(PermissionDenied, match="没有分配给您"):
        judging.score_save(actor=judges.j2, assignment=mine, values={content.pk: "30"})
    values = {c.pk: c.max_score - 1 for c in contest.criteria.all()}
    judging.score_save(actor=judges.j1, assignment=mine, values=values, submit=True)
    mine.refresh_from_db()
    assert mine.total == D("96.00") and mine.status == AssignmentStatus.SUBMITTED
    with pytest.raises(ValidationError, match="已提交并锁定"):
        judging.score_save(actor=judges.j1, assignment=mine, values=values, submit=True)
    with pytest.raises(ValidationError, match="原因"):
        judging.score_reopen(actor=users.league_admin, assignment=mine, reason=" ")
    judging.score_reopen(actor=users.league_admin, assignment=mine, reason="错录")
    assert AuditEntry.objects.filter(action="contests.score.reopen", changes__reason=[None, "错录"]).exists()
    judging.score_save(actor=judges.j1, assignment=mine, values=values, submit=True)


def test_scoring_outside_the_review_window_is_refused(judged, judges):
    contest, made = judged
    Contest.objects.filter(pk=contest.pk).update(review_start=dt.date(2026, 12, 1), review_end=dt.date(2026, 12, 9))
    mine = Assignment.objects.get(entry=made[0], judge=judges.j1)
    with pytest.raises(ValidationError, match="评审时间为 2026年12月1日 至 2026年12月9日"):
        judging.score_save(actor=judges.j1, assignment=mine, values={}, submit=False)


def test_publishing_awards_points_once_and_withdrawing_reverses_them(judged, judges, users, org):
    contest, made = judged
    base = {e.pk: 90 - i * 5 for i, e in enumerate(made)}
    bump = {judges.j1.pk: 8, judges.j2.pk: 1, judges.j3.pk: 0, judges.j4.pk: -1, judges.j5.pk: -9}
    score_all(contest, lambda a: base[a.entry_id] + bump[a.judge_id])
    with pytest.raises(ValidationError):
        results.unpublish(actor=users.league_admin, contest=contest, reason="x")
    awards = results.publish(actor=users.league_admin, contest=contest)
    by_entry = {a.entry_id: a for a in awards}
    first = by_entry[made[0].pk]
    # 98, 91, 90, 89, 81: drop 98 and 81 → 90.000
    assert (first.place, first.level, first.score) == (1, "一等奖", D("90.000"))
    assert first.detail["dropped_high"] == "98.00" and first.detail["dropped_low"] == "81.00"
    assert [by_entry[e.pk].level for e in made] == ["一等奖", "二等奖", "三等奖", "", "", ""]
    journal = PointEntry.objects.filter(source_type="contest")
    assert sorted(journal.values_list("person_id", "points")) == sorted(
        [(org.bayi.pk, D("10.00")), (org.abag_other.pk, D("6.00")), (made[2].author_rows.get().person_id, D("4.00"))]
    )
    with pytest.raises(ValidationError, match="已经公布"):
        results.publish(actor=users.league_admin, contest=contest)
    # the engine is idempotent too: the same award again writes nothing
    from xuebi.contests import events

    events.results_published.send(sender=Contest, contest=Contest.objects.get(pk=contest.pk), version=1, actor=users.league_admin)
    assert journal.count() == 3
    results.unpublish(actor=users.league_admin, contest=contest, reason="评分更正")
    assert journal.filter(entry_type=EntryType.REVERSAL).count() == 3
    assert sum(journal.values_list("points", flat=True)) == 0
    results.publish(actor=users.league_admin, contest=contest)
    assert sum(journal.values_list("points", flat=True)) == D("20.00")
    assert Contest.objects.get(pk=contest.pk).results_version == 2


def test_publishing_waits_for_every_score(judged, judges, users):
    contest, made = judged
    score_all(contest, lambda a: 80)
    Assignment.objects.filter(entry=made[0], judge=judges.j1).update(status=AssignmentStatus.SAVED)
    with pytest.raises(ValidationError, match="还有 1 条初评评分未提交"):
        results.publish(actor=users.league_admin, contest=contest)
    assert not Award.objects.exists()


def test_two_panels_then_a_final(org, users, judges, people, password_hash):
    contest = make_contest(users, judges_per_entry=2, trim_from=5, final_top=1, levels="一等奖 1 10\n二等奖 1 5\n优秀奖 其余 1")
    from xuebi.org.choices import Role
    from xuebi.testing.helpers import make_user

    f1, f2, f3 = (make_user(f"f{i}", Role.JUDGE, org.league, password_hash) for i in range(3))
    setup.panels_save(
        actor=users.league_admin,
        contest=contest,
        panels=[
            {"name": "第一组", "is_final": False, "judges": [judges.j1, judges.j2]},
            {"name": "第二组", "is_final": False, "judges": [judges.j5, judges.j4]},
            {"name": "决赛组", "is_final": True, "judges": [f1, f2, f3]},
        ],
    )
    made = [submit(users, contest, p, f"作品{i}") for i, p in enumerate(people.abag)]
    judging.assign(actor=users.league_admin, contest=contest)
    panels = {e.pk: e.panel.name for e in contest.entries.select_related("panel")}
    assert sorted(panels.values()) == ["第一组", "第一组", "第二组"] or sorted(panels.values()) == ["第一组", "第二组", "第二组"]
    to_review(contest)
    prelim = {made[0].pk: 70, made[1].pk: 80, made[2].pk: 90}
    score_all(contest, lambda a: prelim[a.entry_id])
    finalists = results.final_select(actor=users.league_admin, contest=contest)
    # the top one of each panel
    expected = set()
    for name in set(panels.values()):
        mine = [pk for pk, n in panels.items() if n == name]
        expected.add(max(mine, key=lambda pk: prelim[pk]))
    assert {e.pk for e in finalists} == expected
    summary = judging.assign(actor=users.league_admin, contest=contest, stage=Stage.FINAL)
    assert summary["assignments"] == 3 * len(expected)
    final_scores = {pk: 100 - prelim[pk] for pk in expected}  # the final reverses the order
    score_all(contest, lambda a: final_scores[a.entry_id], stage=Stage.FINAL)
    awards = {a.entry_id: a for a in results.publish(actor=users.league_admin, contest=contest)}
    ordered = sorted(expected, key=lambda pk: -final_scores[pk])
    assert awards[ordered[0]].level == "一等奖" and awards[ordered[0]].stage == Stage.FINAL
    others = [pk for pk in prelim if pk not in expected]
    assert all(awards[pk].place > len(expected) and awards[pk].stage == Stage.PRELIM for pk in others)


def test_withdrawn_entries_leave_the_judging(judged, judges, users):
    contest, made = judged
    Contest.objects.filter(pk=contest.pk).update(entry_end=dt.date(2026, 11, 30), review_start=dt.date(2026, 11, 30))
    contest.refresh_from_db()
    entries.entry_withdraw(actor=users.league_admin, entry=made[0])
    assert made[0].__class__.objects.get(pk=made[0].pk).status == EntryStatus.WITHDRAWN
    assert not Assignment.objects.filter(entry=made[0]).exists()
