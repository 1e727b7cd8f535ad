from django import template

from ..views import _changes_text

register = template.Library()


@register.filter
def changes_text(changes) -> str:
    return _changes_text(changes)
