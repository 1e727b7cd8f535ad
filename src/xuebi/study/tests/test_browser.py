"""A cadre on a phone logs study hours against a list item; the card updates in place (HTMX)."""

from __future__ import annotations

import pytest

from xuebi.study.models import StudyProgress
from xuebi.testing.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_logging_hours_completes_an_item_and_bad_hours_are_refused(phone, users, study):
    sign_in(phone, "cadre")
    phone.goto("/study/")
    card = phone.locator(f"#item-{study.book.pk}")
    card.get_by_text("登记学习").click()
    card.get_by_label("学时").fill("30")
    card.get_by_role("button", name="登记").click()
    error = phone.locator(f'#item-{study.book.pk} [data-field="hours"]')
    error.wait_for()
    assert "24" in error.inner_text()
    assert not StudyProgress.objects.filter(item=study.book).exists()

    card = phone.locator(f"#item-{study.book.pk}")
    card.get_by_label("学时").fill("2")
    card.get_by_role("button", name="登记").click()
    phone.locator(f"#item-{study.book.pk} [role=status]").wait_for()
    assert phone.locator(f"#item-{study.book.pk} [data-testid=item-hours]").inner_text() == "2"

    card = phone.locator(f"#item-{study.book.pk}")
    if not card.get_by_label("学时").is_visible():
        card.get_by_text("登记学习").click()
    card.get_by_label("学时").fill("3")
    card.get_by_role("button", name="登记").click()
    phone.locator(f"#item-{study.book.pk} [data-testid=item-state]").get_by_text("已完成").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
