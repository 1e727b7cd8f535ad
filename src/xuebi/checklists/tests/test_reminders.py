"""Reminders at the right times and once each, on a frozen clock moved day by day: before the due
date, on it, and every few days once overdue (then to the unit's administrators too); none for a
closed item; a missed day caught up with one message; a changed due date starting over."""

import datetime as dt

import pytest

from xuebi.checklists import reminders, services
from xuebi.checklists.models import Move
from xuebi.notifications.models import Delivery, Notification, Webhook

from .conftest import DUE

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))


def run_on(time_machine, day: dt.date) -> dict:
    time_machine.move_to(dt.datetime.combine(day, dt.time(6, 0), tzinfo=TZ))
    return reminders.sweep()


def titles(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("title", flat=True))


@pytest.fixture
def settled(settings):
    settings.XUEBI_CHECKLIST_REMIND_DAYS = 3
    settings.XUEBI_CHECKLIST_OVERDUE_EVERY_DAYS = 3


def test_the_reminders_of_an_item_day_by_day(settled, users, item, time_machine):
    sent = {}
    for offset in range(-5, 9):  # 12月5日 … 12月18日; due 12月10日
        day = DUE + dt.timedelta(days=offset)
        sent[day] = run_on(time_machine, day)["notified"]
        assert run_on(time_machine, day)["notified"] == 0  # the same day again: nothing twice
    assert [day.day for day, n in sent.items() if n] == [7, 10, 11, 14, 17]
    assert titles(users.cadre) == [
        "还有 3 天到期：整理党员档案",
        "今天到期：整理党员档案",
        "已逾期 1 天：整理党员档案",
        "已逾期 4 天：整理党员档案",
        "已逾期 7 天：整理党员档案",
    ]
    # overdue: the administrators of the responsible unit (阿巴嘎旗), not those of another county
    assert titles(users.abag_admin) == ["已逾期 1 天：整理党员档案", "已逾期 4 天：整理党员档案", "已逾期 7 天：整理党员档案"]
    assert titles(users.xilin_admin) == []
    assert Notification.objects.filter(recipient=users.cadre).first().url == f"/checklists/items/{item.pk}/"


def test_a_missed_day_is_caught_up_once(settled, users, item, time_machine):
    run_on(time_machine, DUE + dt.timedelta(days=-1))  # 还有 1 天 (the 3-day reminder, caught up)
    assert titles(users.cadre) == ["还有 1 天到期：整理党员档案"]
    run_on(time_machine, DUE + dt.timedelta(days=6))  # the worker was down from the 10th to the 15th
    run_on(time_machine, DUE + dt.timedelta(days=6))
    assert titles(users.cadre)[1:] == ["已逾期 6 天：整理党员档案"]


def test_no_reminder_for_a_closed_item(settled, users, item, time_machine):
    services.move(actor=users.cadre, item=item, move=Move.SUBMIT)
    services.move(actor=users.abag_admin, item=item, move=Move.ACCEPT)
    for offset in (-3, 0, 1, 4):
        run_on(time_machine, DUE + dt.timedelta(days=offset))
    assert not Notification.objects.exists()


def test_a_pending_item_is_still_reminded_until_accepted(settled, users, item, time_machine):
    services.move(actor=users.cadre, item=item, move=Move.SUBMIT)
    run_on(time_machine, DUE + dt.timedelta(days=1))
    assert titles(users.abag_admin) == ["已逾期 1 天：整理党员档案"]


def test_a_new_due_date_starts_the_reminders_again(settled, org, users, item, time_machine):
    run_on(time_machine, DUE)
    item.due_date = DUE + dt.timedelta(days=10)
    item.save()
    run_on(time_machine, DUE)
    run_on(time_machine, DUE + dt.timedelta(days=7))
    assert titles(users.cadre) == ["今天到期：整理党员档案", "还有 3 天到期：整理党员档案"]


def test_each_units_robot_gets_one_digest_a_day(settled, org, users, item, time_machine, settings):
    settings.XUEBI_WEBHOOK_HOSTS = ("qyapi.weixin.qq.com",)
    from xuebi.notifications import services as notifications

    hook = notifications.save_webhook(
        actor=users.abag_admin,
        unit=org.abag,
        name="阿巴嘎旗组织部工作群",
        flavor="wecom",
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
        secret="",
    )
    notifications.save_webhook(
        actor=users.xilin_admin,
        unit=org.xilin,
        name="锡林浩特市工作群",
        flavor="wecom",
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=def",
        secret="",
    )
    assert run_on(time_machine, DUE + dt.timedelta(days=1))["posted"] == 1
    assert run_on(time_machine, DUE + dt.timedelta(days=1))["posted"] == 0
    delivery = Delivery.objects.get()
    assert delivery.webhook == hook
    assert delivery.title == "学比清单提醒（2026年12月11日）：阿巴嘎旗委组织部到期 0 项，逾期 1 项"
    assert delivery.lines == ["【逾期 1 天】整理党员档案（组织股，巴依斯古楞）"]
    assert Webhook.objects.count() == 2
