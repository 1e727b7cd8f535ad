"""No .xlsx the product writes holds a formula, whatever its users and administrators wrote.

Unit, person, kind and field names, record values and a failed sign-in's user name begin with
``=``, ``+``, ``-``, ``@`` or a tab; every export endpoint (pages and API) is fetched and every
cell of every sheet read back: none is a formula, and the text is there as it was written.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from xuebi.core import xlsx

from . import hostile

HYPERLINK = '=HYPERLINK("http://x.example","点击")'
PAYLOADS = [HYPERLINK, "=1+1", "+1+2", "-3+4", "@SUM(1,2)", "\t=5+6", " =7+8"]


def _cells(content: bytes):
    wb = load_workbook(io.BytesIO(content))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


@pytest.fixture
def world(org, users):
    return hostile.build(org, users, PAYLOADS)


EXPORTS = {
    # name: (who, url, texts the file must show as written)
    "roster": ("abag_admin", "/org/people/export.xlsx", [HYPERLINK, "+1+2", "-3+4"]),
    "roster template": ("abag_admin", "/org/people/import/template.xlsx", []),
    "audit log": ("auditor", "/audit/export.xlsx", [HYPERLINK]),
    "ledger page": ("abag_admin", "/ledger/reports/export/?date_from=2026年1月1日&date_to=2026年12月31日", PAYLOADS),
    "ledger API": ("abag_admin", "/api/v1/ledger/export?date_from=2026-01-01&date_to=2026-12-31", PAYLOADS),
}


@pytest.mark.parametrize("name", EXPORTS)
def test_no_export_holds_a_formula(world, users, client, api, name):
    who, url, texts = EXPORTS[name]
    # A failed sign-in writes the typed user name into the audit log.
    client.post("/accounts/login/", {"username": HYPERLINK, "password": "wrong"})
    user = getattr(users, who)
    if url.startswith("/api/"):
        path, _, query = url.removeprefix("/api/v1").partition("?")
        response = api.get(user, path, **dict(p.split("=") for p in query.split("&")))
    else:
        client.force_login(user)
        response = client.get(url)

    assert response.status_code == 200, response.content[:300]
    cells = _cells(response.content)
    formulas = [(c.coordinate, c.value) for c in cells if c.data_type == "f"]
    assert not formulas
    shown = " ".join(c.value for c in cells if isinstance(c.value, str))
    for text in texts:
        assert text in shown


def test_formula_like_text_is_kept_as_text_with_excels_quote_prefix():
    wb = Workbook()
    for text in [*PAYLOADS, "学习强国", "-0.5"]:
        wb.active.append([text, 12])

    cells = load_workbook(io.BytesIO(xlsx.save(wb))).active["A"]

    assert [c.value for c in cells] == [*PAYLOADS, "学习强国", "-0.5"]
    assert [c.quotePrefix for c in cells] == [True] * len(PAYLOADS) + [False, True]
    assert {c.data_type for c in cells} == {"s"}
