"""The group robots' message formats, pure: a title, lines and a link in, the request out.

企业微信群机器人: POST JSON to the robot's address (its key is in the address, no signature);
``{"msgtype": "markdown", "markdown": {"content": …}}``, content at most 4096 bytes; the answer
``{"errcode": 0, "errmsg": "ok"}`` (any other errcode is a failure, also with HTTP 200).

钉钉群机器人: POST JSON ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``; with 加签 the
address gains ``timestamp`` (milliseconds) and ``sign`` = urlencode(base64(HMAC-SHA256(key=secret,
msg=f"{timestamp}\\n{secret}"))); the same errcode answer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote_plus

WECOM_LIMIT = 4096  # bytes of markdown.content
DINGTALK_LIMIT = 18000  # characters of markdown.text (the robot takes 20000; the title and link fit in the rest)

MARKDOWN_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>#"})


def plain(text: str) -> str:
    """A line of the department's text as text, not markup: a title with ``[`` or ``*`` must not
    turn into a link or bold in the group."""
    return " ".join(str(text).split()).translate(MARKDOWN_SPECIAL)


def _fit(head: str, lines: list[str], tail: str, limit: int, size) -> str:
    """Head, as many lines as fit under ``limit`` and a note of how many were left out, tail."""
    body = []
    for i, line in enumerate(lines):
        rest = len(lines) - i
        candidate = "\n".join([head, *body, f"- {line}", f"……另有 {rest - 1} 项", tail])
        if size(candidate) > limit:
            body.append(f"……另有 {rest} 项")
            break
        body.append(f"- {line}")
    return "\n".join(part for part in [head, *body, tail] if part)


def wecom_message(title: str, lines: list[str], url: str = "") -> dict:
    tail = f"[在学比中查看]({url})" if url else ""
    content = _fit(f"**{plain(title)}**", [plain(line) for line in lines], tail, WECOM_LIMIT, lambda s: len(s.encode()))
    return {"msgtype": "markdown", "markdown": {"content": content}}


def dingtalk_message(title: str, lines: list[str], url: str = "") -> dict:
    tail = f"[在学比中查看]({url})" if url else ""
    text = _fit(f"#### {plain(title)}", [plain(line) for line in lines], tail, DINGTALK_LIMIT, len)
    return {"msgtype": "markdown", "markdown": {"title": " ".join(title.split())[:60], "text": text}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def dingtalk_address(url: str, secret: str, timestamp_ms: int) -> str:
    """The robot's address with the signature, when it has a secret (加签)."""
    if not secret:
        return url
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def request(flavor: str, url: str, secret: str, title: str, lines: list[str], link: str, timestamp_ms: int) -> tuple[str, dict]:
    """(address, JSON body) of one message."""
    if flavor == "dingtalk":
        return dingtalk_address(url, secret, timestamp_ms), dingtalk_message(title, lines, link)
    return url, wecom_message(title, lines, link)


def accepted(status: int, answer: dict | None) -> str:
    """'' when the robot took the message, else the reason, in words."""
    if status != 200:
        return f"HTTP {status}"
    if not isinstance(answer, dict):
        return "应答不是 JSON"
    if answer.get("errcode", 0) != 0:
        return f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"[:500]
    return ""
