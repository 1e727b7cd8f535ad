"""Papers through the pages: a fixed paper from the picker (order, points), a random one from its
rules with the banks' shortfall shown, the preview (a sample draw with the answers, for the
organiser), a paper frozen once someone has started on it, copying it, and deleting it."""

from __future__ import annotations

from decimal import Decimal

from xuebi.audit.models import Action, AuditEntry
from xuebi.exams import services
from xuebi.exams.models import Category, Exam, Paper, PaperMode, PaperRule

from .conftest import make_exam


def test_a_fixed_paper_is_composed_in_the_picker(users, client_for, org, bank):
    client = client_for(users.league_admin)
    made = client.post(
        "/exams/papers/new/", {"title": "理论测试卷", "unit": org.league.pk, "mode": "fixed", "shuffle_options": "on"}
    )
    paper = Paper.objects.get(title="理论测试卷")
    assert client.get(made.url).url == f"/exams/papers/{paper.pk}/questions/"
    made = client.get(made.url)
    picker = client.get(made.url).content.decode()
    assert "遵义会议召开于哪一年" in picker
    client.post(
        made.url,
        {"q": [bank.single.pk, bank.truefalse.pk], f"points_{bank.single.pk}": "2", f"points_{bank.truefalse.pk}": "1.5"},
    )
    # the true/false question moved first, the fill-in added at the end
    saved = client.post(
        made.url,
        {
            "q": [bank.single.pk, bank.truefalse.pk, bank.fill.pk],
            f"order_{bank.single.pk}": "2",
            f"order_{bank.truefalse.pk}": "1",
            f"points_{bank.single.pk}": "2",
            f"points_{bank.truefalse.pk}": "1.5",
            f"points_{bank.fill.pk}": "4",
        },
    )
    assert saved.status_code == 302
    assert [(pq.question_id, pq.points) for pq in paper.fixed.all()] == [
        (bank.truefalse.pk, Decimal("1.5")),
        (bank.single.pk, Decimal("2")),
        (bank.fill.pk, Decimal("4")),
    ]
    detail = client.get(f"/exams/papers/{paper.pk}/").content.decode()
    assert 'data-testid="paper-max">7.5<' in detail
    bad = client.post(made.url, {"q": [bank.single.pk], f"points_{bank.single.pk}": "0.3"}, follow=True).content.decode()
    assert "分值应在 0.5 到 100 分之间" in bad and paper.fixed.count() == 3
    assert AuditEntry.objects.filter(action=Action.EXAM_PAPER_SAVE, target_id=str(paper.pk)).count() == 3


def test_a_random_paper_keeps_rules_and_says_what_the_banks_cannot_supply(users, client_for, org, bank):
    client = client_for(users.league_admin)
    made = client.post(
        "/exams/papers/new/",
        {"title": "随机卷", "unit": org.league.pk, "mode": "random", "banks": [bank.bank.pk], "shuffle_options": "on"},
    )
    paper = Paper.objects.get(title="随机卷")
    made = client.get(made.url)
    assert made.url == f"/exams/papers/{paper.pk}/rules/"
    party = Category.objects.get(name="党史")
    form = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-0-category": party.pk,
        "form-0-type": "single",
        "form-0-count": "10",
        "form-0-points": "2",
        "form-1-category": "",
        "form-1-type": "truefalse",
        "form-1-count": "3",
        "form-1-points": "1",
    }
    saved = client.post(made.url, form, follow=True).content.decode()
    assert "全部分类判断题需抽 3 道，题库中只有 1 道" in saved
    assert [(r.type, r.count, r.points) for r in paper.rules.all()] == [
        ("single", 10, Decimal("2")),
        ("truefalse", 3, Decimal("1")),
    ]
    available = client.get(f"/exams/papers/{paper.pk}/available/?type=single&category={party.pk}").json()
    assert available == {"available": 13}
    form["form-INITIAL_FORMS"] = "2"  # as the page now renders it
    form["form-1-DELETE"] = "on"
    client.post(made.url, form)
    assert paper.rules.count() == 1
    check = client.get(f"/exams/papers/{paper.pk}/").content.decode()
    assert 'data-testid="paper-max">20<' in check and "paper-problems" not in check
    preview = client.get(f"/exams/papers/{paper.pk}/preview/").content.decode()
    assert preview.count('class="card mb-2"') == 10 and "答案：" in preview


def test_a_paper_someone_started_on_is_frozen_and_can_be_copied(users, client_for, org, bank, fixed_paper):
    exam = make_exam(org, users, fixed_paper)
    services.start(user=users.cadre, exam=exam)
    client = client_for(users.league_admin)
    refused = client.post(
        f"/exams/papers/{fixed_paper.pk}/questions/", {"q": [bank.single.pk], f"points_{bank.single.pk}": "2"}, follow=True
    ).content.decode()
    assert "已有人用这份试卷答题" in refused and fixed_paper.fixed.count() == 5
    assert "不能删除" in client.post(f"/exams/papers/{fixed_paper.pk}/delete/", follow=True).content.decode()
    copied = client.post(f"/exams/papers/{fixed_paper.pk}/copy/")
    copy = Paper.objects.exclude(pk=fixed_paper.pk).get()
    assert copied.url == f"/exams/papers/{copy.pk}/" and copy.title == "党史知识测试卷（副本）"
    assert [pq.question_id for pq in copy.fixed.all()] == [pq.question_id for pq in fixed_paper.fixed.all()]
    client.post(f"/exams/papers/{copy.pk}/delete/")
    assert not Paper.objects.filter(pk=copy.pk).exists() and Exam.objects.filter(pk=exam.pk).exists()


def test_a_county_uses_the_leagues_open_bank_but_not_its_papers(users, client_for, org, bank, fixed_paper):
    client = client_for(users.abag_admin)
    assert client.get(f"/exams/papers/{fixed_paper.pk}/").status_code == 404
    assert client.get(f"/exams/papers/{fixed_paper.pk}/preview/").status_code == 404
    made = client.post(
        "/exams/papers/new/", {"title": "旗里的随机卷", "unit": org.abag.pk, "mode": "random", "banks": [bank.bank.pk]}
    )
    paper = Paper.objects.get(title="旗里的随机卷")
    assert made.status_code == 302 and list(paper.banks.all()) == [bank.bank]
    league_unit = client.post("/exams/papers/new/", {"title": "冒充盟里", "unit": org.league.pk, "mode": "fixed"})
    assert league_unit.status_code == 200 and not Paper.objects.filter(title="冒充盟里").exists()
    other = client_for(users.xilin_admin)
    assert other.get(f"/exams/papers/{paper.pk}/").status_code == 404
    assert other.get(f"/exams/papers/{paper.pk}/compose/").status_code == 404  # a redirect, so not in the scoped suite


def test_switching_a_paper_with_rules_to_fixed_is_refused(users, client_for, org, random_paper):
    client = client_for(users.league_admin)
    page = client.post(
        f"/exams/papers/{random_paper.pk}/edit/", {"title": random_paper.title, "unit": org.league.pk, "mode": "fixed"}
    )
    assert "不能改变组卷方式" in page.content.decode()
    assert (
        Paper.objects.get(pk=random_paper.pk).mode == PaperMode.RANDOM
        and PaperRule.objects.filter(paper=random_paper).count() == 2
    )
