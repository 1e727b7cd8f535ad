from django import template

from ..masking import mask_text
from ..readable import changes_text as _changes_text

register = template.Library()


@register.filter
def changes_text(entry) -> str:
    """An audit entry's 变更内容 as one line of labels and shown values (readable.py)."""
    return _changes_text(entry)


@register.filter
def masked(text) -> str:
    """身份证号 and mobile numbers in the text masked (masking.py)."""
    return mask_text(str(text or ""))
