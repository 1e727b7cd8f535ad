"""The group robots' message formats (企业微信 and 钉钉 markdown), 钉钉's signature, what counts as
accepted, and the department's text kept as text."""

import base64
import hashlib
import hmac
from urllib.parse import parse_qs, unquote_plus, urlsplit

from xuebi.notifications import robots


def test_wecom_markdown_message():
    body = robots.wecom_message(
        "学比清单提醒", ["【逾期 1 天】整理党员档案（组织股，巴依斯古楞）"], "https://xuebi.example/checklists/due/"
    )
    assert body == {
        "msgtype": "markdown",
        "markdown": {
            "content": "**学比清单提醒**\n- 【逾期 1 天】整理党员档案（组织股，巴依斯古楞）\n[在学比中查看](https://xuebi.example/checklists/due/)"
        },
    }


def test_dingtalk_markdown_message():
    body = robots.dingtalk_message("学比清单提醒", ["今天到期：材料报送"], "")
    assert body == {
        "msgtype": "markdown",
        "markdown": {"title": "学比清单提醒", "text": "#### 学比清单提醒\n- 今天到期：材料报送"},
    }


def test_dingtalk_signature_is_the_documented_hmac():
    secret, ts = "SEC0123456789abcdef", 1733300000000
    address = robots.dingtalk_address("https://oapi.dingtalk.com/robot/send?access_token=t", secret, ts)
    query = parse_qs(urlsplit(address).query)
    assert query["access_token"] == ["t"] and query["timestamp"] == [str(ts)]
    expected = base64.b64encode(hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()).decode()
    assert unquote_plus(address.split("sign=")[1]) == expected
    assert robots.dingtalk_address("https://oapi.dingtalk.com/robot/send?access_token=t", "", ts).endswith("access_token=t")


def test_markup_in_the_departments_text_stays_text():
    body = robots.wecom_message("[点我](http://evil)", ["**加粗** <font color=red>红</font>"])
    content = body["markdown"]["content"]
    assert "\\[点我\\](http://evil)" in content and "\\*\\*加粗\\*\\*" in content and "\\<font" in content


def test_a_long_digest_is_cut_to_the_robots_limit_with_a_count():
    lines = [f"【逾期 {i} 天】事项{i:04d}" + "很长的名称" * 20 for i in range(400)]
    content = robots.wecom_message("提醒", lines, "https://x/")["markdown"]["content"]
    assert len(content.encode()) <= robots.WECOM_LIMIT
    assert content.splitlines()[-2].startswith("……另有 ") and content.endswith("[在学比中查看](https://x/)")
    shown = sum(1 for line in content.splitlines() if line.startswith("- "))
    assert content.splitlines()[-2] == f"……另有 {400 - shown} 项"


def test_what_counts_as_accepted():
    assert robots.accepted(200, {"errcode": 0, "errmsg": "ok"}) == ""
    assert robots.accepted(200, {"errcode": 93000, "errmsg": "invalid webhook url"}) == "errcode 93000: invalid webhook url"
    assert robots.accepted(502, None) == "HTTP 502"
    assert robots.accepted(200, None) == "应答不是 JSON"
