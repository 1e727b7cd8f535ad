from django import template

from ..masking import mask_text
from ..views import _changes_text

register = template.Library()


@register.filter
def changes_text(changes) -> str:
    return _changes_text(changes)


@register.filter
def masked(text) -> str:
    """身份证号 and mobile numbers in the text masked (masking.py)."""
    return mask_text(str(text or ""))
