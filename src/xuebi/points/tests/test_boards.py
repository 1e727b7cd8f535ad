"""Leaderboards by period, 类别 and indicator, with the movement since the previous period; the
totals they read always equal the journal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xuebi.campaign.models import Indicator, Rule
from xuebi.campaign.services.rules import indicator_save
from xuebi.campaign.services.campaigns import campaign_create, campaign_update
from xuebi.org.services.people import person_update
from xuebi.points import boards, engine, standings
from xuebi.points.models import PersonTotal, PointEntry, RankCount
from xuebi.testing.helpers import add_person, give

from .test_views import people, units

OCT, NOV = dt.date(2026, 10, 15), dt.date(2026, 11, 10)
DEC = dt.date(2026, 12, 2)  # "today" in December: November has ended


def ranks(board) -> list[tuple]:
    return [(r["name"], r["rank"], r["score"], r["move"]) for r in board.rows]


def test_a_month_board_counts_that_month_and_shows_the_movement_since_the_last(org, theory, campaign):  # noqa: F811
    give(org, org.bayi, 5, 1, day=OCT)  # October: 巴依斯古楞 5, 王芳 2
    give(org, org.abag_other, 2, 2, day=OCT)
    give(org, org.abag_other, 4, 3, day=NOV)  # November: 王芳 4, 巴依斯古楞 1
    give(org, org.bayi, 1, 4, day=NOV)
    november = people(campaign, [org.abag.path], kind="month", on=NOV, today=DEC)
    assert november.span.label == "2026年11月" and november.previous.label == "2026年10月"
    assert ranks(november) == [("王芳", 1, Decimal(4), 1), ("巴依斯古楞", 2, Decimal(1), -1)]
    assert [(r["up"], r["down"]) for r in november.rows] == [(1, 0), (0, 1)]
    october = people(campaign, [org.abag.path], kind="month", on=OCT, today=DEC)
    assert ranks(october) == [("巴依斯古楞", 1, Decimal(5), None), ("王芳", 2, Decimal(2), None)]  # nothing in September
    quarter = people(campaign, [org.abag.path], kind="quarter", on=NOV, today=DEC)
    assert quarter.span.label == "2026年第4季度" and ranks(quarter)[0][:3] == ("巴依斯古楞", 1, Decimal(6))


def test_the_campaign_board_compares_with_the_standing_at_the_end_of_last_month(org, theory, campaign):  # noqa: F811
    give(org, org.bayi, 5, 1, day=OCT)
    give(org, org.abag_other, 2, 2, day=OCT)
    give(org, org.abag_other, 6, 3, day=NOV)
    board = people(campaign, [org.abag.path], today=NOV)  # in November: compared with the end of October
    assert board.previous.label == "截至2026年10月底"
    assert ranks(board) == [("王芳", 1, Decimal(8), 1), ("巴依斯古楞", 2, Decimal(5), -1)]
    # a late approval dated in October also counts in October's standing
    late = add_person(org.abag_section, "张三", 51)
    give(org, late, 9, 4, day=OCT)
    assert ranks(people(campaign, [org.abag.path], today=NOV))[0] == ("张三", 1, Decimal(9), 0)
    assert standings.stored_rows(campaign) == standings.expected_rows(campaign)


def test_a_custom_range_is_summed_from_the_journal_and_compared_with_the_days_before(org, theory, campaign):  # noqa: F811
    give(org, org.bayi, 3, 1, day=dt.date(2026, 11, 3))
    give(org, org.abag_other, 1, 2, day=dt.date(2026, 11, 3))
    give(org, org.abag_other, 5, 3, day=dt.date(2026, 11, 12))
    board = people(campaign, [org.abag.path], kind="custom", start=dt.date(2026, 11, 11), end=dt.date(2026, 11, 20))
    assert board.previous.label == "2026年11月1日—2026年11月10日"
    assert ranks(board) == [("王芳", 1, Decimal(5), 1)]


def test_boards_by_dimension_and_by_indicator(org, theory, campaign):  # noqa: F811
    work = Indicator.objects.create(campaign=campaign, dimension="work", name="组工信息", max_points=Decimal(20))
    give(org, org.bayi, 3, 1)  # 理论学习
    Rule.objects.create(campaign=campaign, indicator=work, name="信息", source_type="test", source_kind="w", points=Decimal(7))
    engine.award(
        engine.Source(
            type="test",
            id="w1",
            version=1,
            kind="w",
            occurred_on=NOV,
            label="信息",
            participants=(engine.Participation(org.abag_other.pk, org.abag_other.unit_id, "author"),),
        )
    )
    by_work = boards.people_board(
        boards.Board(campaign, boards.span_for(campaign, today=NOV), dimension="work"), [org.abag.path], today=NOV
    )
    assert ranks(by_work)[0][:3] == ("王芳", 1, Decimal(7)) and by_work.category_label == "比工作"
    by_indicator = boards.people_board(
        boards.Board(campaign, boards.span_for(campaign, today=NOV), indicator=theory), [org.abag.path], today=NOV
    )
    assert [r["name"] for r in by_indicator.rows] == ["巴依斯古楞"]
    assert [r["unit_name"] for r in units(campaign, today=NOV).rows][:1] == ["阿巴嘎旗委组织部"]


def test_a_unit_board_drills_into_one_county_and_shows_its_movement(org, theory, campaign):  # noqa: F811
    give(org, org.xilin_person, 4, 1, day=OCT)
    give(org, org.bayi, 1, 2, day=OCT)
    give(org, org.bayi, 9, 3, day=NOV)
    board = units(campaign, today=NOV)
    top = [(r["unit"].name, r["rank"], r["move"]) for r in board.rows[:2]]
    assert top == [("阿巴嘎旗委组织部", 1, 1), ("锡林浩特市委组织部", 2, -1)]
    inside = units(campaign, today=NOV, parent=org.abag)
    assert [(r["unit"].name, r["total"]) for r in inside.rows] == [("组织股", Decimal(10))]


def test_a_unit_board_of_a_custom_range_sums_the_journal_and_compares_with_the_days_before(org, theory, campaign):  # noqa: F811
    give(org, org.xilin_person, 4, 1, day=dt.date(2026, 11, 5))  # the days before
    give(org, org.bayi, 2, 2, day=dt.date(2026, 11, 15))
    give(org, org.bayi, 3, 3, day=dt.date(2026, 11, 25))  # after the range
    board = units(campaign, today=DEC, kind="custom", start=dt.date(2026, 11, 10), end=dt.date(2026, 11, 20))
    rows = {r["unit"].name: (r["rank"], r["total"], r["move"]) for r in board.rows}
    assert rows["阿巴嘎旗委组织部"] == (1, Decimal(2), None)  # no points in the days before: 新
    assert rows["锡林浩特市委组织部"] == (2, Decimal(0), -1)  # first before, tied second now
    assert board.rows[0]["unit"] == org.abag


def test_the_totals_are_rebuilt_from_the_journal_exactly(org, theory, campaign):  # noqa: F811
    give(org, org.bayi, 3, 1, day=OCT)
    give(org, org.xilin_person, 2, 2, day=NOV)
    people(campaign, today=DEC)  # builds November's snapshot
    kept = standings.stored_rows(campaign)
    assert kept == standings.expected_rows(campaign) and len(kept) > 10
    standings.rebuild(campaign)
    assert standings.stored_rows(campaign) == kept
    with CaptureQueriesContext(connection) as queries:  # rebuilt counts are compact: reading writes nothing
        boards.person_rank(campaign, org.bayi, None)
    assert not [q for q in queries.captured_queries if q["sql"].startswith(("INSERT", "DELETE"))]


def test_the_page_and_the_api_take_a_period_and_name_a_bad_one(users, org, theory, client_for, api):  # noqa: F811
    give(org, org.bayi, 3, 1, day=OCT)
    page = client_for(users.cadre).get("/points/board/", {"period": "month:2026-10-01"}).content.decode()
    assert "2026年10月" in page and "巴依斯古楞" in page
    page = client_for(users.cadre).get("/points/board/", {"period": "custom", "start": "2026-11-20", "end": "2026-11-01"})
    assert "结束日期不能早于开始日期" in page.content.decode()
    body = api.get(users.cadre, "/points/leaderboard/people", period="month:2026-10-01").json()
    assert body["period"] == "2026年10月" and [r["name"] for r in body["rows"]] == ["巴依斯古楞"]
    response = api.get(users.cadre, "/points/leaderboard/people", period="custom", start="2025-01-01", end="2026-01-02")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "start"]
    assert "活动期间" in response.json()["detail"][0]["msg"]
    response = api.get(users.cadre, "/points/leaderboard/units", category="indicator:999999")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "category"]


def test_the_totals_command_checks_and_rebuilds(org, theory, campaign):  # noqa: F811
    give(org, org.bayi, 3, 1, day=OCT)
    out = StringIO()
    call_command("points_totals", stdout=out)
    assert "合计与积分明细一致" in out.getvalue()
    PersonTotal.objects.overall().filter(person=org.bayi).update(total=99)  # as if someone edited the table
    with pytest.raises(CommandError, match="不符"):
        call_command("points_totals", stdout=StringIO())
    call_command("points_totals", "--rebuild", stdout=StringIO())
    assert boards.person_rank(campaign, org.bayi, None) == (1, Decimal(3))


def test_ranks_count_bands_and_the_exact_scores_inside_one(org, theory, campaign):  # noqa: F811
    scores = [Decimal("3.5"), Decimal("3.25"), Decimal("3.25"), Decimal("7"), Decimal("0.5")]
    people = [add_person(org.abag_section, f"人{n}", 70 + n) for n in range(len(scores))]
    for n, (person, points) in enumerate(zip(people, scores)):
        give(org, person, 1, 100 + n)  # every award first passes through a band…
        engine.journal_append(
            PointEntry(
                campaign=campaign,
                indicator=theory,
                dimension="theory",
                person=person,
                unit=person.unit,
                occurred_on=NOV,
                points=points - 1,
            )
        )  # …then lands in its own
    expected = {"人0": 2, "人1": 3, "人2": 3, "人3": 1, "人4": 5}
    assert {p.name: boards.person_rank(campaign, p, None)[0] for p in people} == expected
    key = {"campaign": campaign, "indicator": None, "period": "campaign", "period_start": campaign.start_date}
    deltas = RankCount.objects.filter(**key).count()
    standings.compact_counts(key)
    assert RankCount.objects.filter(**key).count() < deltas
    assert {p.name: boards.person_rank(campaign, p, None)[0] for p in people} == expected


@pytest.mark.parametrize("gap", [0, 1000])  # each band read on its own, or nearby bands read as one range
def test_ranks_of_many_scores_at_once_are_one_plus_how_many_have_more(org, theory, campaign, monkeypatch, gap):  # noqa: F811
    monkeypatch.setattr(standings, "GAP_ROWS", gap)
    scores = [Decimal(v) for v in ("0.5", "1", "1.5", "1.5", "2.25", "4", "4.75", "9", "9.5", "12", "12", "30.1", "30.2", "31")]
    people = [add_person(org.abag_section, f"人{n}", 70 + n) for n in range(len(scores))]
    for person, points in zip(people, scores):
        engine.journal_append(
            PointEntry(
                campaign=campaign,
                indicator=theory,
                dimension="theory",
                person=person,
                unit=person.unit,
                occurred_on=NOV,
                points=points,
            )
        )
    key = {"campaign": campaign, "indicator": None, "period": "campaign", "period_start": campaign.start_date}
    expected = {v: 1 + sum(s > v for s in scores) for v in scores}
    assert standings.ranks_from_counts(key, "total", scores) == expected  # among the league
    assert standings.ranks_from_counts(key, "theory", scores, org.abag.pk) == expected  # within 阿巴嘎旗, by 类别
    assert standings.ranks_from_counts(key, "total", [Decimal("31"), Decimal("0.5")]) == {Decimal("31"): 1, Decimal("0.5"): 14}


def test_a_cached_board_changes_as_soon_as_points_the_roster_or_the_campaign_change(users, org, theory, client_for):  # noqa: F811
    league = client_for(users.league_admin)
    give(org, org.bayi, 3, 1)
    assert "王芳" not in league.get("/points/board/").content.decode()
    give(org, org.abag_other, 5, 2)  # a new journal row
    page = league.get("/points/board/").content.decode()
    assert page.index("王芳") < page.index("巴依斯古楞")
    person_update(actor=users.league_admin, person=org.abag_other, values={"name": "王芳芳"})  # a roster change
    assert "王芳芳" in league.get("/points/board/").content.decode()
    indicator_save(actor=users.league_admin, campaign=theory.campaign, dimension="work", name="基层调研")  # a new indicator
    assert "指标：基层调研" in league.get("/points/board/").content.decode()
    campaign_update(actor=users.league_admin, campaign=theory.campaign, name="双学双比（修订）")  # the campaign renamed
    assert "双学双比（修订）" in league.get("/points/board/?board=units").content.decode()
    assert league.get("/api/v1/points/leaderboard/people").status_code == 200


def test_a_board_names_each_unit_with_its_county_and_shows_a_viewer_below_the_top(org, theory, campaign):  # noqa: F811
    give(org, org.bayi, 5, 1)
    give(org, org.xilin_person, 3, 2)
    give(org, org.league_person, 1, 3)
    board = boards.Board(campaign, boards.span_for(campaign, "campaign", today=NOV))
    board = boards.people_board(board, None, viewer_id=org.league_person.pk, limit=2, today=NOV)
    # sections repeat across counties (every county has a 组织股): the county names them apart
    assert [(r["name"], r["unit_name"], r["rank"]) for r in board.rows] == [
        ("巴依斯古楞", "阿巴嘎旗委组织部 · 组织股", 1),
        ("巴图", "锡林浩特市委组织部 · 组织股", 2),
    ]
    me = board.me
    assert (me["name"], me["unit_name"], me["rank"], me["score"]) == ("李强", "组织科", 3, Decimal(1))

    # a custom range is summed from the journal: the viewer's row is ranked there too
    day = dt.date(2026, 11, 20)  # the day ``give`` awards on
    board = boards.Board(campaign, boards.span_for(campaign, "custom", start=dt.date(2026, 11, 1), end=day, today=day))
    board = boards.people_board(board, None, viewer_id=org.league_person.pk, limit=2, today=day)
    assert (board.me["name"], board.me["rank"], board.me["score"]) == ("李强", 3, Decimal(1))


def test_a_finished_campaigns_board_keeps_the_movement_of_its_last_month(org, theory, campaign):  # noqa: F811
    give(org, org.bayi, 5, 1, day=NOV)  # to the end of November: 巴依斯古楞 5, 王芳 2
    give(org, org.abag_other, 2, 2, day=NOV)
    give(org, org.abag_other, 6, 3, day=dt.date(2026, 12, 20))  # December: 王芳 overtakes
    january = dt.date(2027, 1, 5)
    board = people(campaign, [org.abag.path], today=january)
    assert board.previous.label == "截至2026年11月底"  # not the end of December: the final standing itself
    assert ranks(board) == [("王芳", 1, Decimal(8), 1), ("巴依斯古楞", 2, Decimal(5), -1)]


def test_the_board_shows_an_earlier_campaign_when_asked_and_no_campaign_for_a_bad_id(
    users,
    org,
    theory,
    campaign,  # noqa: F811
    client_for,
    api,
):
    give(org, org.bayi, 5, 1, day=NOV)
    earlier = campaign_create(
        actor=users.league_admin,
        name="2025年双学双比",
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2025, 12, 31),
        is_closed=True,
    )
    client = client_for(users.league_admin)
    page = client.get("/points/board/").content.decode()
    assert f'href="?board=people&amp;campaign={earlier.pk}">2025年双学双比（已结束）</a>' in page
    page = client.get("/points/board/", {"campaign": earlier.pk, "board": "units"}).content.decode()
    assert "2025年双学双比" in page and "巴依斯古楞" not in page and "2025年12月" in page
    assert f'<input type="hidden" name="campaign" value="{earlier.pk}">' in page  # the period form keeps it
    assert api.get(users.league_admin, "/points/leaderboard/people", campaign=earlier.pk).json()["rows"] == []
    for bad in ("abc", "99999999999999999999", str(earlier.pk + 100)):
        response = client.get("/points/board/", {"campaign": bad})
        assert response.status_code == 404
    assert api.get(users.league_admin, "/points/leaderboard/people", campaign=earlier.pk + 100).status_code == 404


def test_opening_a_board_builds_no_snapshot_the_month_end_task_does(users, org, theory, campaign, client_for):  # noqa: F811
    give(org, org.bayi, 3, 1, day=OCT)
    with CaptureQueriesContext(connection) as queries:
        page = client_for(users.league_admin).get("/points/board/")
    assert page.status_code == 200 and "截至" not in page.content.decode()  # no snapshot yet: nothing to compare with
    assert not [
        q for q in queries.captured_queries if "points_standingsnapshot" in q["sql"] and q["sql"].startswith(("INSERT", "UPDATE"))
    ]
    assert not PersonTotal.objects.filter(campaign=campaign, period="snapshot").exists()
    built = standings.build_due_snapshots()  # today is 25 November: October has ended
    assert [(c.pk, m) for c, m in built] == [(campaign.pk, dt.date(2026, 10, 1))]
    assert standings.build_due_snapshots() == built  # again: nothing new to build
    assert PersonTotal.objects.filter(campaign=campaign, period="snapshot", person=org.bayi).exists()


def test_with_a_shared_cache_each_server_keeps_its_own_copy_of_a_versioned_board(db, settings):
    from django.core.cache import cache, caches

    from xuebi.points import readmodel

    key = readmodel.cache_key("points-page", "people", readmodel.version())
    settings.XUEBI_SHARED_CACHE = False
    readmodel.keep(key, "table")
    assert readmodel.cached(key) == "table" and caches["boards"].get(key) is None  # one cache: no copy
    settings.XUEBI_SHARED_CACHE = True
    readmodel.keep(key, "table")
    cache.clear()  # the shared cache lost it (or another server asks): this server's copy answers
    assert readmodel.cached(key) == "table"
    caches["boards"].clear()
    assert readmodel.cached(key) is None


def test_with_a_shared_cache_a_cached_board_page_asks_the_database_nothing_until_points_change(
    users, org, theory, client, settings
):
    """The version is kept in the shared cache under the access and data tokens (boards.version),
    read with the session: a cached page is one round trip to Redis; a new award shows at once."""
    settings.XUEBI_SHARED_CACHE = True
    settings.SESSION_ENGINE = "xuebi.accounts.sessions"
    give(org, org.bayi, 2, 1)
    client.force_login(users.league_admin)
    client.get("/points/board/")
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/points/board/").content.decode()
    assert [q["sql"] for q in queries.captured_queries] == []
    assert '<td class="text-end">2</td>' in first
    give(org, org.bayi, 3, 2)
    assert '<td class="text-end">5</td>' in client.get("/points/board/").content.decode()
    theory.name = "理论学习（新）"
    theory.save()  # an indicator renamed: the version's setup part, through the data token
    assert boards.version() == boards.read_version()
