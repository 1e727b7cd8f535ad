"""The ledger .xlsx export: paper-ledger layout, every schema version's fields, scoping, audit."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from xuebi.audit.models import Action, AuditEntry
from xuebi.ledger.services import exports as export
from xuebi.ledger.services.kinds import kind_create, kind_update
from xuebi.ledger.models import Evidence, Record

from ._reports import make_record, study_kind

YEAR = 2025
START, END = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
HEADER = ["序号", "日期", "单位", "记录人", "参加人员"]
TAIL = ["佐证材料", "状态", "审核人", "审核时间"]


@pytest.fixture
def ledger(org, users):
    """集中学习 v1 (学习主题, 主持人) → v2 (学习主题, 学习地点): records written under both."""
    admin = users.league_admin
    kind = kind_create(
        actor=admin,
        code="meeting_study",
        name="集中学习",
        dimension="theory",
        participation="group",
        attendee_hours=True,
        sort_order=5,
        fields=[
            {"key": "topic", "label": "学习主题", "type": "text", "required": True},
            {"key": "host", "label": "主持人", "type": "person"},
        ],
    )
    old = make_record(
        kind,
        org.abag_section,
        org.bayi,
        dt.date(YEAR, 3, 5),
        attendees=[(org.abag_other, Decimal("2"))],
        data={"topic": "学习党章", "host": {"id": org.abag_other.pk, "name": "王芳"}},
    )
    Record.objects.filter(pk=old.pk).update(
        reviewed_by=users.abag_reviewer, reviewed_at=timezone.make_aware(dt.datetime(YEAR, 3, 6, 9, 30))
    )
    kind = kind_update(
        actor=admin,
        kind=kind,
        fields=[
            {"key": "topic", "label": "学习主题", "type": "text", "required": True},
            {"key": "place", "label": "学习地点", "type": "text"},
        ],
    )
    new = make_record(
        kind,
        org.abag_section,
        org.abag_other,
        dt.date(YEAR, 9, 1),
        status="submitted",
        data={"topic": '=HYPERLINK("http://x")', "place": "三楼会议室"},
    )
    make_record(kind, org.abag_section, org.bayi, dt.date(YEAR, 10, 1), status="draft", data={"topic": "草稿"})
    make_record(kind, org.xilin_section, org.xilin_person, dt.date(YEAR, 4, 1), data={"topic": "锡林浩特的学习"})
    make_record(kind, org.abag_section, org.bayi, dt.date(YEAR + 1, 1, 2), data={"topic": "明年的学习"})
    self_study = kind_create(
        actor=admin,
        code="self_read",
        name="个人自学",
        dimension="theory",
        sort_order=1,
        fields=[{"key": "content", "label": "学习内容", "type": "textarea"}],
    )
    make_record(self_study, org.abag_section, org.bayi, dt.date(YEAR, 5, 1), data={"content": "读《论党的自我革命》"})
    return type("Ledger", (), {"kind": kind, "self_study": self_study, "old": old, "new": new})()


def _book(result: export.ExportFile):
    return load_workbook(io.BytesIO(result.content))


def _rows(ws):
    return [[c.value for c in row] for row in ws.iter_rows(min_row=3)]


def _export(user, **filters):
    filters.setdefault("date_from", START)
    filters.setdefault("date_to", END)
    return export.ledger_export(actor=user, **filters)


def test_one_sheet_per_kind_in_the_layout_of_a_paper_ledger(ledger, org, users):
    result = _export(users.abag_admin, kind=ledger.kind, unit=org.abag_section)

    wb = _book(result)
    assert wb.sheetnames == ["集中学习"]
    ws = wb["集中学习"]
    assert ws["A1"].value == "组织股·集中学习台账（2025年1月1日—2025年12月31日）"
    assert [c.value for c in ws[2]] == HEADER + ["学习主题", "主持人", "学习地点"] + TAIL
    assert ws.freeze_panes == "A3"
    assert ws.column_dimensions["E"].width == 32 and ws.column_dimensions["A"].width == 6
    rows = _rows(ws)
    assert rows == [
        [
            1,
            "2025年3月5日",
            "组织股",
            "巴依斯古楞",
            "巴依斯古楞、王芳（2小时）",
            "学习党章",
            "王芳",
            None,
            None,
            "已通过",
            "reviewer",
            "2025年3月6日 09:30",
        ],
        [2, "2025年9月1日", "组织股", "王芳", "王芳", '=HYPERLINK("http://x")', None, "三楼会议室", None, "待审核", None, None],
    ]
    assert ws["F4"].data_type == "s"  # a value that looks like a formula stays text
    assert result.rows == 2
    assert result.filename == "集中学习台账-20250101-20251231.xlsx"


def test_every_kind_gets_its_own_sheet_in_kind_order(ledger, users):
    wb = _book(_export(users.abag_admin))
    assert wb.sheetnames == ["个人自学", "集中学习"]
    assert wb["个人自学"]["A1"].value == "阿巴嘎旗委组织部·个人自学台账（2025年1月1日—2025年12月31日）"
    assert _rows(wb["个人自学"])[0][5] == "读《论党的自我革命》"


def test_a_league_admin_exports_every_county_and_a_county_admin_only_theirs(ledger, users):
    league = [r[2] for r in _rows(_book(_export(users.league_admin, kind=ledger.kind))["集中学习"])]
    assert league == ["组织股", "组织股", "组织股"]  # 阿巴嘎's two and 锡林浩特's 组织股
    texts = {r[5] for r in _rows(_book(_export(users.league_admin, kind=ledger.kind))["集中学习"])}
    assert "锡林浩特的学习" in texts
    texts = {r[5] for r in _rows(_book(_export(users.abag_admin, kind=ledger.kind))["集中学习"])}
    assert "锡林浩特的学习" not in texts and "草稿" not in texts and "明年的学习" not in texts


def test_a_cadre_exports_only_what_they_wrote_or_attended(ledger, users):
    wb = _book(_export(users.cadre))
    assert wb["集中学习"]["A1"].value.startswith("巴依斯古楞个人·集中学习台账")
    assert [r[5] for r in _rows(wb["集中学习"])] == ["学习党章"]  # not 王芳's own record
    assert [r[5] for r in _rows(wb["个人自学"])] == ["读《论党的自我革命》"]


def test_only_approved_records_when_asked(ledger, users):
    rows = _rows(_book(_export(users.abag_admin, kind=ledger.kind, approved_only=True))["集中学习"])
    assert [r[5] for r in rows] == ["学习党章"]


def test_the_period_limits_the_records_and_the_title(ledger, users):
    wb = _book(_export(users.abag_admin, kind=ledger.kind, date_from=dt.date(YEAR, 6, 1), date_to=dt.date(YEAR, 9, 30)))
    ws = wb["集中学习"]
    assert ws["A1"].value.endswith("（2025年6月1日—2025年9月30日）")
    assert [r[1] for r in _rows(ws)] == ["2025年9月1日"]


def test_an_empty_period_still_gives_a_readable_file(ledger, users):
    wb = _book(_export(users.abag_admin, date_from=dt.date(2022, 1, 1), date_to=dt.date(2022, 12, 31)))
    assert wb.sheetnames == ["台账"]
    assert wb["台账"]["A2"].value == "（本期间没有符合条件的记录）"
    wb = _book(_export(users.abag_admin, kind=ledger.kind, date_from=dt.date(2022, 1, 1), date_to=dt.date(2022, 12, 31)))
    assert [c.value for c in wb["集中学习"][2]][:5] == HEADER


def test_attachments_and_presenters_are_listed(ledger, org, users):
    Evidence.objects.create(
        record=ledger.old,
        file="x/a.jpg",
        sha256="0" * 64,
        content_type="image/jpeg",
        size=10,
        original_name="合影.jpg",
        uploaded_by=users.cadre,
    )
    ledger.old.participants.filter(person=org.bayi).update(role="presenter", hours=Decimal("1.5"))
    row = _rows(_book(_export(users.abag_admin, kind=ledger.kind))["集中学习"])[0]
    assert row[4] == "巴依斯古楞（主讲，1.5小时）、王芳（2小时）"
    assert row[8] == "合影.jpg"


def test_a_kind_with_study_levels_has_a_level_column(org, users):
    kind = study_kind(users.league_admin)
    make_record(kind, org.abag, org.bayi, dt.date(YEAR, 2, 2), study_level="center")
    ws = _book(_export(users.abag_admin, kind=kind))["集中学习"]
    assert [c.value for c in ws[2]][5] == "学习层级"
    assert _rows(ws)[0][5] == "中心组领学"


def test_every_export_is_audited_with_its_filters(ledger, org, users):
    _export(users.abag_admin, kind=ledger.kind, unit=org.abag_section, approved_only=True)
    entry = AuditEntry.objects.get(action=Action.LEDGER_EXPORT)
    assert entry.actor == users.abag_admin
    assert entry.changes == {
        "filters": {
            "kind": "集中学习",
            "unit": "组织股",
            "date_from": "2025-01-01",
            "date_to": "2025-12-31",
            "approved_only": True,
        },
        "rows": 1,
    }


def test_a_reversed_period_or_a_huge_export_is_refused(ledger, users, monkeypatch):
    with pytest.raises(ValidationError) as exc:
        _export(users.abag_admin, date_from=END, date_to=START)
    assert "结束日期不能早于开始日期" in exc.value.messages[0]
    monkeypatch.setattr(export, "MAX_ROWS", 1)
    with pytest.raises(ValidationError) as exc:
        _export(users.abag_admin)
    assert "超过单次导出上限" in exc.value.messages[0]
    assert not AuditEntry.objects.filter(action=Action.LEDGER_EXPORT).exists()


def test_the_export_takes_the_same_queries_for_many_records(ledger, org, users, django_assert_max_num_queries):
    for day in range(1, 29):
        make_record(ledger.kind, org.abag_section, org.bayi, dt.date(YEAR, 2, day), attendees=[(org.abag_other, Decimal(1))])
    user = users.abag_admin
    _export(user)  # warm the grants cache, as a request would
    with django_assert_max_num_queries(7):
        result = _export(user)
    assert result.rows == 31


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_file(ledger, users, tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(_export(users.abag_admin, kind=ledger.kind).content)
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    text = (tmp_path / "ledger.csv").read_text(encoding="utf-8", errors="replace")
    assert "学习党章" in text
