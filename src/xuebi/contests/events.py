"""What the contests app tells the apps above it (the points engine): results published or
withdrawn. The points app connects to these (``points/contest_source.py``); contests never
imports points."""

from django.dispatch import Signal

# sender: Contest; kwargs: contest, version, actor — after the Award rows of ``version`` are written
results_published = Signal()
# sender: Contest; kwargs: contest, version (the withdrawn one), actor, reason
results_withdrawn = Signal()
