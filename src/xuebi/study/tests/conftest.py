"""Study lists for the tests, made through the services as an admin would.

``study`` builds, relative to today (no wall-clock dates in assertions):

* ``league_list`` — published by 锡林郭勒盟委组织部 to 阿巴嘎旗委组织部 and 锡林浩特市委组织部:
  ``reading`` (2 学时, due 10 days ago), ``video`` (0 学时, due in 30 days), ``book`` (5 学时, due in 60 days)
* ``abag_list`` — published by 阿巴嘎旗委组织部 to its 组织股: ``abag_item`` (1 学时, due yesterday)
* ``draft`` — a league draft to everybody, with one item
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from xuebi.study import services


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def add_item(actor, study_list, title, hours, due, material_type="article"):
    return services.study_item_create(actor=actor, study_list=study_list, title=title, due_date=due,
                                      required_hours=Decimal(hours), material_type=material_type)


@pytest.fixture
def study(org, users):
    ns = SimpleNamespace()
    league, abag = users.league_admin, users.abag_admin
    ns.league_list = services.study_list_create(
        actor=league, unit=org.league, title="《习近平新时代中国特色社会主义思想学习纲要》",
        target_units=[org.abag, org.xilin], description="各旗县市区委组织部组织学习",
    )
    ns.reading = add_item(league, ns.league_list, "第一章 新时代坚持和发展中国特色社会主义", "2", days(-10))
    ns.video = add_item(league, ns.league_list, "党史学习教育专题片", "0", days(30), "video")
    ns.book = add_item(league, ns.league_list, "《中国共产党简史》", "5", days(60), "book")
    services.study_list_publish(actor=league, study_list=ns.league_list)

    ns.abag_list = services.study_list_create(actor=abag, unit=org.abag, title="阿巴嘎旗组工干部业务学习",
                                              target_units=[org.abag_section])
    ns.abag_item = add_item(abag, ns.abag_list, "《中国共产党组织工作条例》", "1", days(-1))
    services.study_list_publish(actor=abag, study_list=ns.abag_list)

    ns.draft = services.study_list_create(actor=league, unit=org.league, title="草稿清单", target_units=[org.league])
    ns.draft_item = add_item(league, ns.draft, "尚未发布的内容", "1", days(10))
    for obj in vars(ns).values():
        obj.refresh_from_db()
    return ns


def log(user, item, hours, on=None, note=""):
    return services.study_progress_log(actor=user, item=item, hours=Decimal(hours), studied_on=on or days(0), note=note)
