"""The demo earns points through the real ledger: every county is on the unit board of both
campaigns, with movement since the end of last month, and the totals equal the journal."""

from __future__ import annotations

import pytest

from xuebi.campaign.models import Campaign
from xuebi.demo import load_all
from xuebi.points import boards, standings

pytestmark = pytest.mark.django_db


def test_the_demo_ranks_all_thirteen_counties_with_movement(today):
    load_all(people=120)
    for campaign in Campaign.objects.all():  # this year's, open, and last year's, closed
        board = boards.unit_board(boards.Board(campaign, boards.span_for(campaign, today=today)), today=today)
        assert len(board.rows) == 13 and sum(1 for r in board.rows if r["total"] > 0) >= 10
        assert any(r["move"] for r in board.rows)  # this month's (last year's: December's) points moved them
        assert standings.stored_rows(campaign) == standings.expected_rows(campaign)
