"""Small pieces of the leaderboard page, rendered in Python: a board repeats them for every row.

They escape with the standard library's ``html.escape`` (the same five characters as Django's
``escape``) on plain strings: Django's lazy-aware ``escape`` and ``format_html`` cost several
microseconds a call, and a board of 50 rows and two long drop-downs makes hundreds of them —
a third of the page's time. Every value that is not a number passes through ``_text``.
"""

from html import escape

from django import template
from django.utils.safestring import mark_safe

from xuebi.core.formatting import points_text

from .. import boards

register = template.Library()


def _text(value) -> str:
    return escape(str(value))


@register.filter
def points(value) -> str:
    """``{{ figure|points }}``: ``core.formatting.points_text`` in a template (empty for None)."""
    return points_text(value)


def _movement(row: dict) -> str:
    up, down = int(row.get("up") or 0), int(row.get("down") or 0)
    if up:
        return f'<span class="text-success" title="比上期上升{up}名">↑{up}</span>'
    if down:
        return f'<span class="text-danger" title="比上期下降{down}名">↓{down}</span>'
    if row.get("move") == 0:
        return '<span class="text-muted" title="名次未变">—</span>'
    if row.get("score"):
        return '<span class="badge text-bg-light" title="上期没有积分">新</span>'
    return ""


@register.simple_tag
def movement(row: dict) -> str:
    """↑3 in green, ↓1 in red, — unchanged, 新 for someone without points in the previous period."""
    return mark_safe(_movement(row))


def _rank(row: dict) -> str:
    return str(int(row["rank"])) if row.get("rank") else "—"


@register.simple_tag
def people_rows(rows: list[dict], viewer_id) -> str:
    """The rows of a people board in one pass (a board has 50; template loops cost more than the
    queries behind them)."""
    if not rows:
        return mark_safe('<tr><td colspan="5" class="text-muted">这一期间还没有积分。</td></tr>')
    mine = ' class="table-warning"'
    return mark_safe(
        "".join(
            f"<tr{mine if r['person_id'] == viewer_id else ''}><td>{_rank(r)}</td><td>{_movement(r)}</td>"
            f'<td>{_text(r["name"])}</td><td>{_text(r["unit_name"])}</td><td class="text-end">{points_text(r["score"])}</td></tr>'
            for r in rows
        )
    )


@register.simple_tag
def unit_rows(rows: list[dict], links: str, parent, paths=None) -> str:
    """The rows of a unit board; on the counties' board (no ``parent``) each the viewer may drill
    into (``paths``: ``selectors.board_paths``) links to its own units for the same period and 类别
    (``links``: their query string, ``BoardSpec.links``)."""

    if not rows:
        return mark_safe('<tr><td colspan="6" class="text-muted">没有下属单位。</td></tr>')
    cells = []
    for r in rows:
        name = _text(r["unit"].short_name or r["unit"].name)
        if parent is None and boards.may_drill_into(r["unit"], paths):
            name = f'<a href="?board=units&amp;unit={int(r["unit_id"])}&amp;{_text(links)}">{name}</a>'
        cells.append(
            f"<tr><td>{_rank(r)}</td><td>{_movement(r)}</td><td>{name}</td>"
            f'<td class="text-end">{points_text(r["total"])}</td><td class="text-end">{int(r["people"])}</td>'
            f'<td class="text-end">{points_text(r["average"])}</td></tr>'
        )
    return mark_safe("".join(cells))


@register.simple_tag
def options(field) -> str:
    """A select's options without Django's per-option widget templates (the board has dozens)."""
    chosen = str(field.value() or "")
    return mark_safe(
        "".join(
            f'<option value="{_text(value)}"{" selected" if str(value) == chosen else ""}>{_text(label)}</option>'
            for value, label in field.field.widget.choices
        )
    )
