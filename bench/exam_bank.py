"""The question bank at a league's size: importing a 2,000-row .xlsx of all five types into an empty
bank (every row checked, then written in one transaction), the same file again (every row a
duplicate, skipped), exporting the bank, and the pages an administrator uses with 20,000
questions in the bank — the filtered question list, the rule's count on the rules page, a random
paper's preview (a sample draw) — against the minimal view measured in the same run. Not a test:
nothing here passes or fails (but the counts are checked).

    PYTHONPATH=src .venv/bin/python bench/exam_bank.py     # BENCH_QUESTIONS=N (default 20000), BENCH_RUNS
"""

from __future__ import annotations

import io
import os
import sys

from common import RUNS, measure, median_ms, report  # sets up Django first

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

QUESTIONS = int(os.environ.get("BENCH_QUESTIONS", "20000"))
ROWS = 2000


def import_file() -> bytes:
    from openpyxl import Workbook

    from xuebi.core import xlsx
    from xuebi.exams import sheets

    wb = Workbook()
    ws = wb.active
    ws.append(sheets.COLUMNS)
    kinds = [
        ("单选题", ["甲", "乙", "丙", "丁"], "B"),
        ("多选题", ["甲", "乙", "丙", "丁"], "ACD"),
        ("判断题", [], "正确"),
        ("填空题", [], "1921|1921年；上海"),
        ("简答题", [], "要点一；要点二"),
    ]
    for i in range(ROWS):
        qtype, options, answer = kinds[i % len(kinds)]
        ws.append(sheets.sheet_row(qtype, "党史", f"基准导入试题第{i}题：____", options, answer, "解析", "中", "基准"))
    return xlsx.save(wb)


def build(bank) -> None:
    from xuebi.exams.models import Category, Question, QuestionType, fingerprint

    party = Category.objects.get(name="党史")
    rows = []
    for i in range(QUESTIONS):
        text = f"基准题库试题{i}"
        options = ["甲", "乙", "丙", "丁"]
        rows.append(
            Question(
                bank=bank,
                category=party,
                type=QuestionType.SINGLE,
                text=text,
                options=options,
                answer=[i % 4],
                fingerprint=fingerprint("single", text, options),
            )
        )
    with transaction.atomic():
        Question.objects.bulk_create(rows, batch_size=5000)


def main() -> int:
    call_command("migrate", verbosity=0)
    call_command("demo", "--people", "200", verbosity=0, stdout=open(os.devnull, "w"))
    from xuebi.exams import sheets
    from xuebi.exams.models import Bank, Category, Paper, PaperMode, PaperRule, QuestionType
    from xuebi.org.models import Unit, User

    league_user = User.objects.get(username="league")
    league = Unit.objects.get_root_nodes().first()
    content = import_file()
    client = Client()
    client.force_login(league_user)
    baseline, _ = measure(client, "/healthz")
    figures = [("baseline /healthz", baseline, 0)]

    runs = max(RUNS // 10, 3)
    target = Bank.objects.create(name="导入基准", unit=league)

    def empty():
        target.questions.all().delete()

    created = []
    figures.append(
        (
            f"import {ROWS:,} rows into an empty bank",
            median_ms(
                lambda: created.append(
                    sheets.import_questions(SimpleUploadedFile("q.xlsx", content), user=league_user, bank=target).created
                ),
                runs,
                before=empty,
            ),
            0,
        )
    )
    assert set(created) == {ROWS}, created
    skipped = []
    figures.append(
        (
            f"the same {ROWS:,} rows again (all duplicates)",
            median_ms(
                lambda: skipped.append(
                    len(sheets.import_questions(SimpleUploadedFile("q.xlsx", content), user=league_user, bank=target).skipped)
                ),
                runs,
            ),
            0,
        )
    )
    assert set(skipped) == {ROWS}, skipped
    rows = target.questions.select_related("category").order_by("pk")
    exported = []
    figures.append(
        (
            f"export {ROWS:,} questions",
            median_ms(lambda: exported.append(len(sheets.export(target, rows, today=timezone.localdate()))), runs),
            0,
        )
    )
    from openpyxl import load_workbook

    assert load_workbook(io.BytesIO(sheets.export(target, rows, today=timezone.localdate()))).worksheets[0].max_row == ROWS + 3

    big = Bank.objects.create(name="大题库", unit=league, practice_open=True)
    build(big)
    party = Category.objects.get(name="党史")
    paper = Paper.objects.create(title="基准随机卷", unit=league, mode=PaperMode.RANDOM)
    paper.banks.set([big])
    PaperRule.objects.create(paper=paper, category=party, type=QuestionType.SINGLE, count=20, points=2)
    for label, url in [
        (f"question list ({QUESTIONS:,} in the bank, page 1)", f"/exams/banks/{big.pk}/"),
        ("question list, filtered by 题干 words", f"/exams/banks/{big.pk}/?q=%E8%AF%95%E9%A2%98199&type=single"),
        ("a rule's count on the rules page", f"/exams/papers/{paper.pk}/available/?type=single&category={party.pk}"),
        ("random paper preview (a sample draw of 20)", f"/exams/papers/{paper.pk}/preview/"),
    ]:
        median, queries = measure(client, url, runs=max(RUNS // 3, 5))
        figures.append((label, median, queries))
    print(f"database: {connection.vendor}; import rows: {ROWS:,}; questions in the big bank: {QUESTIONS:,}; runs: {runs}")
    report(figures, width=56)
    return 0


if __name__ == "__main__":
    sys.exit(main())
