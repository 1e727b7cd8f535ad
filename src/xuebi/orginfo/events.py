"""What the orginfo app tells the apps above it (the points engine): an adoption recorded or
undone. The points app connects to these (``points/orginfo_source.py``); orginfo never imports
points."""

from django.dispatch import Signal

# sender: Adoption; kwargs: adoption, actor — after the row is written, in the same transaction
adoption_recorded = Signal()
# sender: Adoption; kwargs: adoption, actor, reason — after the row is marked undone
adoption_undone = Signal()
