"""Questions in and out of .xlsx, one row a question, the way departments keep question lists in
Excel today (题型、分类、题干、选项A…H、答案、解析、难度、标签).

Import into one bank is all or nothing, as the roster's: every row is checked by the same rules as
the question form (``banks.check_question``) and every problem is reported by row and column with
nothing written. A row that repeats a question already in the bank, or an earlier row of the file,
is not an error: it is reported and skipped. Export writes the same columns through ``core.sheets``
(every text cell neutralised against formulas), so an exported bank imports again unchanged.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.core import sheets
from xuebi.core.sheets import ImportResult, RowError

from . import banks
from .models import Bank, Category, Difficulty, Question, QuestionType

__all__ = ["COLUMNS", "RowError", "ImportResult", "import_questions", "template", "export"]

OPTION_COLUMNS = [f"选项{letter}" for letter in banks.LETTERS]
COLUMNS = ["题型", "分类", "题干", *OPTION_COLUMNS, "答案", "解析", "难度", "标签"]
REQUIRED = ["题型", "分类", "题干", "答案"]
MAX_ROWS = 2000
FIELD_COLUMN = {
    "type": "题型",
    "category": "分类",
    "text": "题干",
    "options": "选项A",
    "answer": "答案",
    "explanation": "解析",
    "difficulty": "难度",
    "tags": "标签",
}
WIDTHS = [8, 10, 40, *[14] * len(OPTION_COLUMNS), 14, 30, 6, 12]


def _type(text: str) -> str | None:
    return banks.TYPE_WORDS.get(text.replace(" ", ""))


def import_questions(file, *, user, bank: Bank) -> ImportResult:
    """Check every row, then add all the new questions to ``bank`` in one transaction, or none."""
    result = ImportResult()
    if not Bank.objects.visible_to(user, "change").filter(pk=bank.pk).exists():
        result.errors.append(RowError(0, "", "您无权向这个题库导入试题。"))
        return result
    table = sheets.read_for_import(
        file,
        result,
        columns=COLUMNS,
        header_has=["题型", "题干"],
        required=REQUIRED,
        max_rows=MAX_ROWS,
        noun="试题",
        measure="道试题",
    )
    if table is None:
        return result
    _header, columns, body = table
    categories = {c.name: c for c in Category.objects.all()}
    known = {q.fingerprint: q for q in Question.objects.filter(bank=bank).only("pk", "fingerprint", "text")}
    in_file: dict[str, int] = {}
    planned: list[banks.Checked] = []
    for number, values in body:
        raw = {name: values[i] if i < len(values) else None for name, i in columns.items()}
        text = {name: sheets.cell_text(raw.get(name)) for name in COLUMNS}
        errors: list[RowError] = []
        qtype = _type(text["题型"])
        if qtype is None:
            names = "、".join(str(t.label) for t in QuestionType)
            errors.append(RowError(number, "题型", f"“{text['题型']}”不是题型（{names}）。" if text["题型"] else "请填写题型。"))
        category = categories.get(text["分类"])
        if category is None:
            names = "、".join(categories)
            errors.append(
                RowError(
                    number,
                    "分类",
                    f"没有名为“{text['分类']}”的分类（现有：{names}）。" if text["分类"] else f"请填写分类（{names}）。",
                )
            )
        difficulty: int = Difficulty.MEDIUM
        if text["难度"]:
            difficulty = banks.DIFFICULTY_WORDS.get(text["难度"], 0)
            if not difficulty:
                errors.append(RowError(number, "难度", f"难度“{text['难度']}”应为易、中、难之一。"))
        if errors or qtype is None:
            result.errors += errors
            continue
        answer = raw.get("答案")
        data = banks.QuestionData(
            category=category,
            type=qtype,
            text=_multiline(raw.get("题干")),
            options=[sheets.cell_text(raw.get(name)) for name in OPTION_COLUMNS],
            answer=_multiline(answer) if qtype == QuestionType.SHORT else sheets.cell_text(answer),
            explanation=_multiline(raw.get("解析")),
            difficulty=difficulty,
            tags=text["标签"],
        )
        try:
            checked = banks.check_question(data)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                result.errors += [RowError(number, FIELD_COLUMN.get(name, ""), m) for m in messages]
            continue
        if checked.fingerprint in known:
            result.skipped.append(RowError(number, "题干", banks.duplicate_message(known[checked.fingerprint])))
        elif checked.fingerprint in in_file:
            result.skipped.append(RowError(number, "题干", f"与文件第 {in_file[checked.fingerprint]} 行的试题重复。"))
        else:
            in_file[checked.fingerprint] = number
            planned.append(checked)
    if result.errors:
        return result
    with transaction.atomic():
        Question.objects.bulk_create(Question(bank=bank, created_by=user, **vars(checked)) for checked in planned)
        audit_record(
            action=Action.EXAM_QUESTION_IMPORT,
            actor=user,
            target=bank,
            changes={"导入试题": [0, len(planned)], "重复跳过": [0, len(result.skipped)]},
        )
    result.created = len(planned)
    return result


def _multiline(value) -> str:
    """A long text cell (题干、解析、简答题的参考答案): line breaks kept, surrounding space cut."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "\n".join(line.strip() for line in str(value).strip().splitlines())


def _row(question: Question) -> list:
    return sheet_row(
        question.get_type_display(),
        question.category.name,
        question.text,
        question.options[: len(OPTION_COLUMNS)],
        banks.answer_text(question),
        question.explanation,
        question.get_difficulty_display(),
        question.tags,
    )


def sheet_row(qtype, category, text, options=(), answer="", explanation="", difficulty="", tags="") -> list:
    """One row of the template's columns, the options padded to A…H."""
    padded = [*options, *[""] * (len(OPTION_COLUMNS) - len(options))]
    return [qtype, category, text, *padded, answer, explanation, difficulty, tags]


EXAMPLES = [
    sheet_row("单选题", "党史", "遵义会议召开于哪一年？", ["1921年", "1935年", "1949年", "1978年"], "B", "1935年1月，中共中央在贵州遵义召开政治局扩大会议。", "易", "长征"),
    sheet_row("多选题", "组织工作", "“三会一课”中的“三会”包括哪些？", ["支部党员大会", "支部委员会", "党小组会", "职工代表大会"], "ABC", "", "中", "组织生活"),
    sheet_row("判断题", "党章党规", "党的最高领导机关是党的全国代表大会和它所产生的中央委员会。", [], "正确", "", "易"),
    sheet_row("填空题", "党史", "中国共产党第一次全国代表大会于____年在____召开。", [], "1921|1921年；上海", "各空用“；”分隔，一空有多个可接受答案用“|”分隔。", "中"),
    sheet_row("简答题", "干部工作", "简述新时代好干部的标准。", [], "信念坚定、为民服务、勤政务实、敢于担当、清正廉洁。", "按要点给分。", "难"),
]  # fmt: skip


def _workbook(title: str, subtitle: str, rows) -> bytes:
    wb = sheets.new_workbook()
    sheets.table_sheet(wb, "试题", title=title, subtitle=subtitle, header=COLUMNS, rows=rows, widths=WIDTHS, landscape=True)
    return sheets.workbook_bytes(wb)


def template() -> bytes:
    subtitle = "题型：单选题/多选题/判断题/填空题/简答题；答案：单选 B，多选 ABD，判断 正确/错误，填空各空用“；”分隔，简答填参考答案；难度：易/中/难"
    return _workbook("试题导入模板", subtitle, EXAMPLES)


def export(bank: Bank, rows, *, today: dt.date) -> bytes:
    return _workbook(f"{bank.name}（{bank.unit.name}）", sheets.drawn_up(today), (_row(q) for q in rows))
