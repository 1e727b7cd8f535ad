"""The audit log reads on a desktop (columns keep their width) and on a phone (cards)."""

from __future__ import annotations

import pytest

from xuebi.audit.models import Action, AuditEntry
from xuebi.testing.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _entries(org):
    long = "；".join(f"第{n}条说明文字" for n in range(30))
    AuditEntry.objects.create(
        actor_name="abag",
        action=Action.PERSON_UPDATE,
        target_type="org.person",
        target_id=str(org.bayi.pk),
        target_repr="巴依斯古楞",
        changes={"position": ["", "副股长"], "note": long, "ethnicity": ["汉族", "蒙古族"]},
        ip="10.5.5.5",
    )


def test_the_log_keeps_its_columns_on_a_desktop_and_is_cards_on_a_phone(page, phone, users, org):
    _entries(org)
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, "auditor")
    page.goto("/audit/?action=org.person.update")
    table = page.get_by_test_id("audit-table")
    widths = table.locator("thead th").evaluate_all("ths => ths.map(th => th.getBoundingClientRect().width)")
    assert min(widths) >= 50 and widths[0] >= 100  # no column squeezed to a character
    assert "职务：空 → 副股长" in table.inner_text() or "副股长" in table.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    sign_in(phone, "auditor")
    phone.goto("/audit/?action=org.person.update")
    assert not phone.get_by_test_id("audit-table").is_visible()
    cards = phone.get_by_test_id("audit-cards")
    assert "修改人员" in cards.inner_text() and "副股长" in cards.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
