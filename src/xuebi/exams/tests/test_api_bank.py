"""/api/v1/exams for banks, questions and papers: the same rules and scoping as the pages — a bank
and its questions made, a duplicate and a wrong answer refused with the reason, the .xlsx import
and export, a random paper's rules and its check, and 404 outside the caller's units."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from xuebi.exams.models import Bank, Category, Question

from .test_sheets import GOOD, workbook


def said(response) -> str:
    return " ".join(d["msg"] for d in response.json()["detail"])


def test_a_bank_and_its_questions_through_the_api(users, api, org):
    made = api.post(users.abag_admin, "/exams/banks", {"name": "旗题库", "unit_id": org.abag.pk, "practice_open": True})
    assert made.status_code == 201, made.content
    bank_id = made.json()["id"]
    party = Category.objects.get(name="党史").pk
    question = {
        "category_id": party,
        "type": "multiple",
        "text": "三会包括？",
        "options": ["支部党员大会", "支部委员会", "党小组会"],
        "answer": "ABC",
    }
    created = api.post(users.abag_admin, f"/exams/banks/{bank_id}/questions", question)
    assert created.status_code == 201 and created.json()["answer"] == "ABC" and created.json()["version"] == 1
    twice = api.post(users.abag_admin, f"/exams/banks/{bank_id}/questions", question)
    assert twice.status_code == 422 and "重复" in said(twice)
    wrong = api.post(users.abag_admin, f"/exams/banks/{bank_id}/questions", {**question, "text": "另一题", "answer": "AZ"})
    assert wrong.status_code == 422 and "A–C" in said(wrong)
    pk = created.json()["id"]
    changed = api.put(users.abag_admin, f"/exams/questions/{pk}", {**question, "answer": "AB"})
    assert changed.json()["answer"] == "AB" and changed.json()["version"] == 2
    listed = api.get(users.abag_admin, f"/exams/banks/{bank_id}/questions", type="multiple").json()
    assert [q["id"] for q in listed["items"]] == [pk]
    assert api.delete(users.abag_admin, f"/exams/questions/{pk}").status_code == 204
    assert not Question.objects.filter(pk=pk).exists()


def test_the_api_keeps_out_of_other_units(users, api, org, bank):
    other = Bank.objects.create(name="锡林浩特题库", unit=org.xilin)
    assert api.get(users.abag_admin, f"/exams/banks/{other.pk}").status_code == 404
    assert api.get(users.abag_admin, f"/exams/banks/{other.pk}/questions").status_code == 404
    assert api.put(users.abag_admin, f"/exams/banks/{bank.bank.pk}", {"name": "改名", "unit_id": org.abag.pk}).status_code == 404
    assert api.get(users.abag_admin, f"/exams/questions/{bank.single.pk}").status_code == 404
    moved = api.post(users.abag_admin, "/exams/banks", {"name": "越权", "unit_id": org.xilin.pk})
    assert moved.status_code == 422 and not Bank.objects.filter(name="越权").exists()
    assert api.get(users.cadre, "/exams/banks").status_code == 403
    league_bank = api.get(users.abag_admin, f"/exams/banks/{bank.bank.pk}").json()  # open for practice: read only
    assert league_bank["can_change"] is False
    assert api.post(users.abag_admin, "/exams/categories", {"name": "县分类"}).status_code == 403


def test_import_and_export_through_the_api(users, api, org, client):
    bank = Bank.objects.create(name="旗题库", unit=org.abag)
    headers = api._headers(users.abag_admin)
    good = client.post(f"/api/v1/exams/banks/{bank.pk}/import", {"file": workbook(GOOD)}, **headers)
    assert good.status_code == 200 and good.json()["created"] == 6
    bad = client.post(f"/api/v1/exams/banks/{bank.pk}/import", {"file": workbook([GOOD[0], ["问答题", "党史", "题"]])}, **headers)
    body = bad.json()
    assert bad.status_code == 422 and body["created"] == 0
    assert {"row": 4, "column": "题型"} == {k: body["errors"][0][k] for k in ("row", "column")}
    assert bank.questions.count() == 6
    exported = api.get(users.abag_admin, f"/exams/banks/{bank.pk}/export")
    sheet = load_workbook(io.BytesIO(exported.content)).worksheets[0]
    assert sheet.cell(3, 1).value == "题型" and sheet.max_row == 3 + 6


def test_a_random_paper_through_the_api_and_its_check(users, api, org, bank):
    made = api.post(
        users.abag_admin,
        "/exams/papers",
        {"title": "旗随机卷", "unit_id": org.abag.pk, "mode": "random", "bank_ids": [bank.bank.pk]},
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    party = Category.objects.get(name="党史").pk
    rules = [{"category_id": party, "type": "single", "count": 20, "points": "2"}]
    set_rules = api.put(users.abag_admin, f"/exams/papers/{pk}/rules", rules)
    assert set_rules.status_code == 200 and set_rules.json()["rules"][0]["label"] == "党史单选题"
    check = api.get(users.abag_admin, f"/exams/papers/{pk}/check").json()
    assert check["ok"] is False and check["problems"] == ["党史单选题需抽 20 道，题库中只有 13 道。"]
    api.put(users.abag_admin, f"/exams/papers/{pk}/rules", [{**rules[0], "count": 10}])
    assert api.get(users.abag_admin, f"/exams/papers/{pk}/check").json()["ok"] is True
    bad = api.put(users.abag_admin, f"/exams/papers/{pk}/rules", [{**rules[0], "points": "0.3"}])
    assert bad.status_code == 422 and "分值应在 0.5 到 100 分之间" in said(bad)
    fixed = api.put(users.abag_admin, f"/exams/papers/{pk}/questions", [{"question_id": bank.single.pk, "points": "2"}])
    assert fixed.status_code == 422 and "随机抽题的试卷没有固定试题" in said(fixed)
    assert api.get(users.xilin_admin, f"/exams/papers/{pk}").status_code == 404
