"""Display helpers of the study pages."""

from __future__ import annotations

from decimal import InvalidOperation

from django import template

from ..selectors import hours_text

register = template.Library()


@register.filter
def hours(value) -> str:
    try:
        return hours_text(value)
    except (InvalidOperation, ValueError):
        return str(value)
