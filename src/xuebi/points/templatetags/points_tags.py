"""Small pieces of the leaderboard page, rendered in Python: a board repeats them for every row."""
from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


def points_text(value) -> str:
    """12.50 → "12.5", 15.00 → "15" (as floatformat:"-2" shows them, without its per-call cost)."""
    text = f"{value:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.simple_tag
def people_rows(rows: list[dict], viewer_id) -> str:
    """The rows of a people board in one pass (a board has 50; template loops cost more than the
    queries behind them)."""
    if not rows:
        return mark_safe('<tr><td colspan="5" class="text-muted">这一期间还没有积分。</td></tr>')
    return format_html_join("", '<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="text-end">{}</td></tr>', (
        (mark_safe(' class="table-warning"') if r["person_id"] == viewer_id else "", r["rank"], movement(r), r["name"],
         r["unit_name"], points_text(r["score"])) for r in rows))


@register.simple_tag
def movement(row: dict) -> str:
    """↑3 in green, ↓1 in red, — unchanged, 新 for someone without points in the previous period."""
    if row.get("up"):
        return format_html('<span class="text-success" title="比上期上升{0}名">↑{0}</span>', row["up"])
    if row.get("down"):
        return format_html('<span class="text-danger" title="比上期下降{0}名">↓{0}</span>', row["down"])
    if row.get("move") == 0:
        return mark_safe('<span class="text-muted" title="名次未变">—</span>')
    if row.get("score"):
        return mark_safe('<span class="badge text-bg-light" title="上期没有积分">新</span>')
    return ""


@register.simple_tag
def options(field) -> str:
    """A select's options without Django's per-option widget templates (the board has dozens)."""
    chosen = str(field.value() or "")
    return format_html_join("", '<option value="{}"{}>{}</option>',
                            ((value, " selected" if str(value) == chosen else "", label)
                             for value, label in field.field.widget.choices))
