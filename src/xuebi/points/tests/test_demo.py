"""The demo earns points through the real ledger: every county is on the unit board, with
movement since last month, and the totals equal the journal."""
from __future__ import annotations

import datetime as dt

import pytest

from xuebi.campaign.models import Campaign
from xuebi.demo import load_all
from xuebi.points import boards, standings

pytestmark = pytest.mark.django_db


def test_the_demo_ranks_all_thirteen_counties_with_movement():
    load_all(people=120)
    campaign = Campaign.objects.get()
    today = dt.date(2026, 11, 25)
    board = boards.unit_board(boards.Board(campaign, boards.span_for(campaign, today=today)), today=today)
    assert len(board.rows) == 13 and sum(1 for r in board.rows if r["total"] > 0) >= 10
    assert any(r["move"] for r in board.rows)  # September and October rankings differ from November's
    assert standings.stored_rows(campaign) == standings.expected_rows(campaign)
