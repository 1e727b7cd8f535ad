"""变更内容 reads as the pages do: field labels, choices by their label, dates as 2021年7月1日,
nothing as 空 — on the page, on the phone's cards and in the export alike."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from xuebi.audit.models import Action, AuditEntry
from xuebi.campaign.models import Indicator
from xuebi.ledger.services import records as ledger
from xuebi.points.services import points_adjust
from xuebi.testing.helpers import DAY, self_study

pytestmark = pytest.mark.django_db


def _export_cells(client, query="") -> str:
    sheet = load_workbook(io.BytesIO(client.get(f"/audit/export.xlsx?{query}").content)).active
    return "\n".join(str(row[7] or "") for row in sheet.iter_rows(min_row=2, values_only=True))


def test_changes_show_labels_and_values_as_the_pages_do(users, org, kinds, client):
    indicator = Indicator.objects.create(campaign=campaign_of(), dimension="work", name="工作实绩", max_points=Decimal(200))
    points_adjust(
        actor=users.abag_admin,
        person=org.bayi,
        indicator=indicator,
        points=Decimal(100),
        reason="获评自治区优秀组工干部",
        occurred_on=DAY,
    )
    record = self_study(users.cadre, kinds, content="党章")
    ledger.record_return(actor=users.abag_reviewer, record=record, comment="请补充页码")
    client.force_login(users.auditor)
    page = client.get("/audit/").content.decode()
    cells = _export_cells(client)
    for text in (page, cells):
        assert "分值：100" in text.replace('<span class="text-muted">', "").replace("</span>", "")
        assert "None" not in text and "{'" not in text and "points:" not in text
    assert "状态：待审核 → 已退回" in cells and "审核意见：空 → 请补充页码" in cells
    created = AuditEntry.objects.get(action=Action.RECORD_CREATE)
    assert created.changes["data"][1]["platform"] == "学习强国"  # kept as written …
    assert "内容：学习平台：学习强国，学习内容：党章" in cells  # … shown under the kind's labels
    assert "日期：2026年11月20日" in cells and "台账类型：个人自学" in cells
    assert "<del>待审核</del> → 已退回" in page


def campaign_of():
    from xuebi.campaign.models import Campaign

    return Campaign.objects.get()


def test_the_log_is_a_fixed_table_on_a_desktop_and_cards_on_a_phone(users, org, client):
    client.force_login(users.auditor)
    AuditEntry.objects.create(
        action=Action.UNIT_UPDATE,
        target_type="org.unit",
        target_id=str(org.abag.pk),
        target_repr="阿巴嘎旗委组织部",
        changes={"is_active": [True, False]},
    )
    page = client.get("/audit/").content.decode()
    assert 'class="table table-sm xb-audit-table"' in page and "<colgroup>" in page
    cards = page[page.index('data-testid="audit-cards"') :]
    assert "修改单位" in cards and "<del>是</del> → 否" in cards
