"""The results notice: a published contest's awards as a 通报 draft of the organiser, its 公文
naming the contest and listing the winners; refused before the results are out."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document

from xuebi.contests.models import Assignment, Stage
from xuebi.contests.services import contests as setup
from xuebi.contests.services import results
from xuebi.reports import documents
from xuebi.reports.models import Ranking
from xuebi.reports.services import notices

from .conftest import make_contest, score_all, submit, to_review


@pytest.fixture
def contest(org, users, judges, people, campaign):
    contest = make_contest(users, judges_per_entry=2, levels="一等奖 1 0\n二等奖 1 0")
    setup.panels_save(
        actor=users.league_admin,
        contest=contest,
        panels=[{"name": "评审组", "is_final": False, "judges": [judges.j1, judges.j2]}],
    )
    made = [
        submit(users, contest, person, title)
        for person, title in zip(people.abag + people.xilin[:1], ["草原上的党课", "牧区调研札记", "第三篇", "第四篇"])
    ]
    Assignment.objects.bulk_create(
        [Assignment(entry=e, judge=j, stage=Stage.PRELIM) for e in made for j in (judges.j1, judges.j2)]
    )
    to_review(contest)
    score_all(contest, lambda a: 90 - 5 * [e.pk for e in made].index(a.entry_id))
    return contest


def test_the_results_notice_lists_the_winners(contest, users):
    with pytest.raises(ValidationError, match="尚未公布"):
        notices.contest_notice(actor=users.league_admin, contest=contest)
    results.publish(actor=users.league_admin, contest=contest)
    with pytest.raises(PermissionDenied):
        notices.contest_notice(actor=users.abag_admin, contest=contest)
    notice = notices.contest_notice(actor=users.league_admin, contest=contest)
    assert notice.ranking == Ranking.CONTEST and notice.contest == contest
    assert [row[:3] for row in notice.data["rows"]] == [
        ["一等奖", "草原上的党课", "巴依斯古楞"],
        ["二等奖", "牧区调研札记", "王芳"],
    ]
    content = documents.notice_docx(notice, notice.data, number="", day=notice.created_at.date(), draft=True)
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert f"关于{contest.title}结果的通报".replace("\n", "") in text.replace("\n", "")
    tables = Document(io.BytesIO(content)).tables
    cells = [c.text for row in tables[0].rows for c in row.cells]
    assert "草原上的党课" in cells and "阿巴嘎旗委组织部 / 组织股" in cells


def test_the_results_notice_is_edited_as_text(contest, users, client):
    results.publish(actor=users.league_admin, contest=contest)
    notice = notices.contest_notice(actor=users.league_admin, contest=contest)
    client.force_login(users.league_admin)
    page = client.get(f"/reports/notices/{notice.pk}/edit/")
    assert page.status_code == 200 and "排名对象" not in page.content.decode()
    answer = client.post(
        f"/reports/notices/{notice.pk}/edit/",
        {
            "title": "关于{评比}获奖情况的通报",
            "recipients": "各旗县市区委组织部：",
            "opening": "现将获奖作品通报如下。",
            "praise": "",
            "remind": "",
            "closing": "",
        },
    )
    assert answer.status_code == 302
    notice.refresh_from_db()
    assert notice.opening == "现将获奖作品通报如下。" and notice.ranking == Ranking.CONTEST and notice.data["rows"]
    bad = client.post(f"/reports/notices/{notice.pk}/edit/", {"title": "", "opening": "x"})
    body = bad.content.decode()
    assert bad.status_code == 200 and ("这个字段是必填项" in body or "请填写标题" in body)
    notice.refresh_from_db()
    assert notice.title == "关于{评比}获奖情况的通报"
