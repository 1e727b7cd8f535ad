"""Group robots against a local HTTP server standing in for 企业微信 and 钉钉: a delivery sent, a
failure retried after the back-off (on a frozen clock moved forward), given up and logged after
the last try, never sent twice; the signature on the wire; addresses other than the robots' refused."""

import datetime as dt
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError

from xuebi.audit.models import AuditEntry
from xuebi.notifications import services
from xuebi.notifications.models import DeliveryStatus, Webhook

pytestmark = pytest.mark.django_db


class Robot:
    """A robot that answers each POST with the next of ``answers`` (status, body) and keeps what it got."""

    def __init__(self):
        self.answers: list[tuple[int, dict | str]] = []
        self.received: list[dict] = []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                robot.received.append({"path": self.path, "body": json.loads(self.rfile.read(length))})
                status, body = robot.answers.pop(0) if robot.answers else (200, {"errcode": 0, "errmsg": "ok"})
                data = (json.dumps(body) if isinstance(body, dict) else body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def robot(settings):
    settings.XUEBI_WEBHOOK_HOSTS = ("127.0.0.1",)
    server = Robot()
    yield server
    server.server.shutdown()


def _hook(users, org, robot, flavor="wecom", secret=""):
    query = "key=k1" if flavor == "wecom" else "access_token=t1"
    return services.save_webhook(
        actor=users.abag_admin,
        unit=org.abag,
        name="阿巴嘎旗工作群",
        flavor=flavor,
        url=f"{robot.url}/send?{query}",
        secret=secret,
    )


def test_a_message_reaches_the_robot_once(users, org, robot):
    hook = _hook(users, org, robot)
    delivery = services.post(hook, key="d1", title="提醒", lines=["今天到期：材料报送"])
    assert services.post(hook, key="d1", title="提醒", lines=["今天到期：材料报送"]) is None
    services.attempt(delivery.pk)
    services.attempt(delivery.pk)  # a second task for the same delivery sends nothing
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 1, "")
    assert robot.received == [
        {"path": "/send?key=k1", "body": {"msgtype": "markdown", "markdown": {"content": "**提醒**\n- 今天到期：材料报送"}}}
    ]


def test_dingtalk_is_signed_on_the_wire(users, org, robot):
    hook = _hook(users, org, robot, flavor="dingtalk", secret="SECabc")
    assert Webhook.objects.get().secret_encrypted != "SECabc" and hook.secret == "SECabc"
    services.attempt(services.post(hook, key="d1", title="提醒", lines=["x"]).pk)
    query = parse_qs(urlsplit(robot.received[0]["path"]).query)
    assert query["access_token"] == ["t1"] and query["timestamp"] and query["sign"]


def test_failures_are_retried_with_back_off_then_given_up_and_logged(users, org, robot, time_machine):
    hook = _hook(users, org, robot)
    robot.answers = [(500, "oops"), (200, {"errcode": 45009, "errmsg": "api freq out of limit"})] + [(503, "busy")] * 3
    delivery = services.post(hook, key="d1", title="提醒", lines=["x"])
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    time_machine.move_to(start, tick=False)
    services.attempt(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.PENDING, 1, "HTTP 500")
    assert delivery.next_attempt_at == start + dt.timedelta(minutes=1)
    services.attempt(delivery.pk)  # not yet due: nothing sent
    assert len(robot.received) == 1
    waits = [dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2)]
    now = start
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger = logging.getLogger("xuebi.notifications.services")
    logger.addHandler(handler)
    try:
        for wait in waits:
            now += wait
            time_machine.move_to(now, tick=False)
            services.attempt(delivery.pk)
    finally:
        logger.removeHandler(handler)
    delivery.refresh_from_db()
    assert len(robot.received) == 5 == delivery.attempts
    assert (delivery.status, delivery.next_attempt_at, delivery.last_error) == (DeliveryStatus.FAILED, None, "HTTP 503")
    assert any(r.levelno == logging.ERROR and "given up after 5 attempts" in r.getMessage() for r in records)
    assert any("errcode 45009" in r.getMessage() for r in records)
    time_machine.move_to(now + dt.timedelta(days=1), tick=False)
    services.attempt(delivery.pk)
    assert services.resend_stale() == 0 and len(robot.received) == 5


def test_an_unreachable_robot_is_an_error_not_a_crash(users, org, robot):
    hook = _hook(users, org, robot)
    robot.server.shutdown()
    robot.server.server_close()
    delivery = services.post(hook, key="d1", title="提醒", lines=["x"])
    services.attempt(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and "ConnectionError" in delivery.last_error


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://evil.example/send?key=1", "不允许向 evil.example 发送消息"),
        ("ftp://qyapi.weixin.qq.com/x?key=1", "Webhook 地址须以 https:// 开头。"),
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send", "企业微信机器人的地址应含 key="),
    ],
)
def test_addresses_other_than_the_robots_are_refused(users, org, url, message):
    with pytest.raises(ValidationError) as exc:
        services.save_webhook(actor=users.abag_admin, unit=org.abag, name="群", flavor="wecom", url=url, secret="")
    assert message in exc.value.message_dict["url"][0]
    assert not Webhook.objects.exists()


def test_only_an_admin_of_the_unit_keeps_its_robot(users, org):
    with pytest.raises(ValidationError) as exc:
        services.save_webhook(
            actor=users.xilin_admin,
            unit=org.abag,
            name="群",
            flavor="wecom",
            url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1",
            secret="",
        )
    assert exc.value.message_dict == {"unit": ["只能为本人管理的单位设置群机器人。"]}
    hook = services.save_webhook(
        actor=users.abag_admin,
        unit=org.abag,
        name="群",
        flavor="wecom",
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1",
        secret="",
    )
    assert AuditEntry.objects.filter(action="notifications.webhook.save", target_id=str(hook.pk)).exists()
    assert list(Webhook.objects.visible_to(users.xilin_admin)) == []
    assert list(Webhook.objects.visible_to(users.cadre)) == []


def test_robots_through_the_api(api, users, org):
    url = "https://oapi.dingtalk.com/robot/send?access_token=t"
    made = api.post(
        users.abag_admin,
        "/notifications/webhooks",
        {"unit_id": org.abag.pk, "name": "工作群", "flavor": "dingtalk", "url": url, "secret": "SECx"},
    )
    assert made.status_code == 201 and made.json()["has_secret"] is True and "SECx" not in made.content.decode()
    pk = made.json()["id"]
    kept = api.put(
        users.abag_admin,
        f"/notifications/webhooks/{pk}",
        {"unit_id": org.abag.pk, "name": "工作群2", "flavor": "dingtalk", "url": url},
    )
    assert kept.json()["has_secret"] is True and Webhook.objects.get().secret == "SECx"  # omitted: unchanged
    bad = api.post(
        users.abag_admin,
        "/notifications/webhooks",
        {"unit_id": org.abag.pk, "name": "群", "flavor": "wecom", "url": "https://evil.example/?key=1"},
    )
    assert bad.status_code == 422 and "不允许向 evil.example 发送消息" in bad.json()["detail"][0]["msg"]
    assert api.post(users.abag_admin, f"/notifications/webhooks/{pk}/test").status_code == 202
    assert [d["title"] for d in api.get(users.abag_admin, f"/notifications/webhooks/{pk}/deliveries").json()["items"]] == [
        "学比：群机器人测试消息"
    ]
    assert api.get(users.cadre, "/notifications/webhooks").status_code == 403
