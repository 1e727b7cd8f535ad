"""No page turns administrator- or user-written text into markup.

Every text an admin or a user writes (unit and person names, a kind's name, its field labels,
help and choices, record values, campaign, indicator and study-list names) holds a payload that
would act if it were markup: an htmx button that posts to /accounts/tokens/ on load, a
``<meta http-equiv="refresh">``, an ``onerror`` handler, a script. Then the site is crawled as
several users from the pages that show those texts (the record forms built from the hostile
kind among them) and every page is parsed: no element may carry an ``on*`` attribute, and no
``hx-*``-attributed element, ``<meta http-equiv>`` or ``<script>`` may come from the data.
The payloads must still be readable as text.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.utils.html import escape

from . import hostile

MARK = "evil"
PAYLOADS = [
    f'<button hx-post="/accounts/tokens/" hx-trigger="load" hx-vals=\'{{"name":"{MARK}"}}\'>{MARK}</button>',
    f'<meta http-equiv="refresh" content="0;url=//{MARK}.example">',
    f'<img src=x onerror=alert("{MARK}")>',
    f"<script>{MARK}()</script>",
]
SKIP = (".xlsx", "/evidence/", "/accounts/logout/", "/api/", "/static/", "/reveal/")
MAX_PAGES = 120


class _Page(HTMLParser):
    """Collects the problems of one page and its same-site links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.links: list[str] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        text = " ".join(value or "" for _, value in attrs)
        handlers = sorted(n for n in names if n.startswith("on"))
        if handlers:
            self.problems.append(f"<{tag}> with {handlers}")
        active = any(n.startswith(("hx-", "data-hx-")) for n in names) or (tag == "meta" and "http-equiv" in names)
        if active and MARK in text:
            self.problems.append(f"<{tag} {attrs}> from the data")
        if tag == "script":
            self._script = [text]
        for name, value in attrs:
            if name in ("href", "hx-get") and value:
                self.links.append(value)

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            if MARK in "".join(self._script):
                self.problems.append(f"<script> from the data: {''.join(self._script)[:80]}")
            self._script = None


def _crawl(client, seeds: list[str]) -> tuple[dict[str, list[str]], set[str], str]:
    """GET the seeds and every same-site page they link to (up to MAX_PAGES): problems by
    URL, the URLs that rendered, and all their text."""
    queue, seen, problems, rendered, texts = list(seeds), set(), {}, set(), []
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in seen or any(s in path for s in SKIP):
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        page = _Page()
        page.feed(html)
        rendered.add(path)
        texts.append(html)
        if page.problems:
            problems[url] = page.problems
        for link in page.links:
            target = urljoin(url, link)
            parts = urlsplit(target)
            if not parts.netloc and parts.path.startswith("/") and target not in seen:
                queue.append(target.split("#")[0])
    return problems, rendered, "\n".join(texts)


@pytest.fixture
def world(org, users):
    return hostile.build(org, users, PAYLOADS)


def test_the_parser_sees_the_payloads_when_they_are_markup():
    # The check itself: unescaped, every payload is caught.
    page = _Page()
    page.feed("".join(PAYLOADS))
    assert len(page.problems) == 4


@pytest.mark.parametrize("who", ["league_admin", "cadre", "abag_reviewer", "abag_admin", "sysadmin", "auditor"])
def test_no_page_turns_written_text_into_markup(world, users, client, who):
    # A failed sign-in puts an outsider's text (the user name) into the audit log.
    client.post("/accounts/login/", {"username": PAYLOADS[0], "password": "wrong"})
    client.force_login(getattr(users, who))
    k, draft, submitted = world.kind, world.draft, world.submitted
    seeds = [
        "/",
        "/ledger/",
        "/ledger/new/",
        f"/ledger/new/{k.code}/",
        f"/ledger/{draft.pk}/",
        f"/ledger/{draft.pk}/edit/",
        f"/ledger/{submitted.pk}/",
        f"/ledger/{submitted.pk}/correct/",
        "/ledger/review/",
        "/ledger/kinds/",
        f"/ledger/kinds/{k.pk}/",
        f"/ledger/kinds/{k.pk}/edit/",
        "/ledger/reports/",
        "/ledger/reports/export/",
        "/org/units/",
        "/org/people/",
        f"/org/people/{draft.author.pk}/",
        "/org/me/",
        f"/campaigns/{world.campaign.pk}/",
        "/campaigns/",
        "/points/",
        "/points/board/",
        "/points/adjust/",
        "/study/",
        f"/study/lists/{world.study_list.pk}/",
        "/accounts/users/",
        "/accounts/grants/",
        "/audit/",
        f"/audit/?user={MARK}",
    ]

    problems, rendered, text = _crawl(client, seeds)

    assert not problems, problems
    # The forms built from the hostile kind were among what was checked, and the text is still there to read.
    if who == "cadre":
        assert {f"/ledger/new/{k.code}/", f"/ledger/{draft.pk}/edit/", f"/ledger/{draft.pk}/"} <= rendered
    if who == "league_admin":
        assert {f"/ledger/kinds/{k.pk}/", f"/ledger/kinds/{k.pk}/edit/"} <= rendered
    if who == "auditor":
        assert "/audit/" in rendered
    assert any(escape(payload[:20]) in text for payload in PAYLOADS)  # names are cut to their field length


def test_a_fields_help_keeps_its_line_breaks_and_nothing_else(world, users, client_for):
    html = client_for(users.cadre).get(f"/ledger/new/{world.kind.code}/").content.decode()

    assert f'<div class="form-text">{escape(PAYLOADS[0])}<br>{escape(PAYLOADS[1])}<br>' in html
