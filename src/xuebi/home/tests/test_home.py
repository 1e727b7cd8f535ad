"""The home page per role: a cadre sees their points, rank and what waits for them; a judge reads
what they will do; every link a role's home shows answers that role."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from xuebi.checklists import services as checklists

from xuebi.ledger.services import records as ledger
from xuebi.points import readmodel
from xuebi.testing.helpers import give, self_study

pytestmark = pytest.mark.django_db

OCTOBER, NOVEMBER = dt.date(2026, 10, 10), dt.date(2026, 11, 20)


def test_a_cadre_home_shows_points_rank_movement_and_what_waits(
    users, org, kinds, theory, study, client_for, django_assert_max_num_queries
):
    # end of October: 王芳 3, 巴依斯古楞 1 (second); in November 巴依斯古楞 passes her
    give(org, org.abag_other, 3, 1, day=OCTOBER)
    give(org, org.bayi, 1, 2, day=OCTOBER)
    give(org, org.bayi, 4, 3, day=NOVEMBER)
    returned = ledger.record_return(
        actor=users.abag_reviewer, record=self_study(users.cadre, kinds, content="退回的"), comment="请补充学习内容"
    )
    draft = self_study(users.cadre, kinds, submit=False, content="没写完的")
    due = checklists.save_item(
        actor=users.abag_admin,
        data=checklists.ItemData(
            kind="task",
            unit=org.abag,
            title="报送组织生活会情况",
            responsible_unit=org.abag_section,
            responsible_person=org.bayi,
            due_date=dt.date(2026, 11, 24),
        ),
    )
    client = client_for(users.cadre)
    readmodel.build_due_snapshots()  # the month-end task has run: the standing at the end of October
    client.get("/")
    with django_assert_max_num_queries(22):  # 21, and one for the exams open now
        page = client.get("/").content.decode()
    assert "积分和排行榜将在后续版本开放" not in page
    assert 'data-testid="home-points-total">5<' in page
    assert 'data-testid="home-rank">第1名<' in page and "阿巴嘎旗委组织部排名" in page
    assert "↑1 上升1名" in page and "与截至2026年10月底相比" in page
    assert f'href="/ledger/{returned.pk}/edit/"' in page and "退回意见：请补充学习内容" in page
    assert f'href="/ledger/{draft.pk}/edit/"' in page
    # due: the overdue reading and the 阿巴嘎 item due yesterday; not the video due in 30 days
    todo = page[page.index('data-testid="home-due"') :]
    assert study.reading.title in todo and study.abag_item.title in todo and "已逾期" in todo
    assert study.video.title not in todo
    # and the checklist item they answer for, a day overdue
    assert f'href="/checklists/items/{due.pk}/"' in page[page.index('data-testid="home-checklist"') :]


def test_a_cadre_with_nothing_waiting_reads_so(users, org, campaign, client_for):
    page = client_for(users.cadre).get("/").content.decode()
    assert "暂无待办" in page and 'data-testid="home-rank">—<' in page


def test_a_judge_home_says_what_a_judge_will_do(users, client_for):
    page = client_for(users.judge).get("/").content.decode()
    assert 'data-testid="home-judge"' in page
    assert "参评作品" in page and "打分" in page and "匿名评审" in page


def test_the_reviewer_roster_card_promises_only_what_a_reviewer_can_do(users, client_for):
    page = client_for(users.abag_reviewer).get("/").content.decode()
    card = re.search(r'data-testid="home-roster">(.*?)</a>', page).group(1)
    assert "新增" not in card and "导入" not in card
    assert client_for(users.abag_reviewer).get("/org/people/new/").status_code == 403
    admin = client_for(users.abag_admin).get("/").content.decode()
    assert "新增、导入导出" in re.search(r'data-testid="home-roster">(.*?)</a>', admin).group(1)


DEMO_ACCOUNTS = ["league", "abag", "reviewer", "league_reviewer", "cadre", "judge", "sysadmin", "secadmin", "auditor"]


def test_every_link_on_each_demo_role_home_answers_that_role(client, settings):
    """Signed in as each demo account, every address the home page links to (its cards, lists and
    the navigation) opens for that account: no card promises what the role cannot do."""
    from xuebi.demo import load_all
    from xuebi.org.models import User

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_all(people=120)
    for username in DEMO_ACCOUNTS:
        client.force_login(User.objects.get(username=username))
        home = client.get("/")
        assert home.status_code == 200
        links = sorted(
            {href for href in re.findall(r'href="(/[^"#]*)', home.content.decode()) if not href.startswith("/static/")}
        )
        assert links, username
        for href in links:
            assert client.get(href).status_code == 200, f"{username}: {href}"
        client.logout()


def test_the_roles_line_lists_the_cadre_role_a_linked_cadre_holds_from_the_roster(users, client_for):
    """“您的角色” says what /api/v1/me says: the grants, and the 干部 role a linked 组工干部 holds on
    their own unit without one, marked as coming from the roster."""
    page = client_for(users.cadre).get("/").content.decode()
    assert "干部 · 阿巴嘎旗委组织部</span>" in page  # the grant
    assert "干部 · 组织股（花名册）</span>" in page  # derived from the roster entry
    auditor = client_for(users.auditor).get("/").content.decode()
    assert "审计管理员" in auditor and "（花名册）" not in auditor
