"""What the checklists tell the rest of xuebi (the points engine listens; this app never imports it)."""

from django.dispatch import Signal

# an item was accepted as done (销号): sender=Item, item=, actor=
item_closed = Signal()
# a closed item was cancelled or reopened, so its points are taken back: sender=Item, item=, actor=, reason=
item_withdrawn = Signal()
