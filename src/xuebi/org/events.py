"""What the roster tells the rest of the system; org code never imports its consumers.

person_moved(sender=Person, person, old_unit_id)
    the person now belongs to ``person.unit`` (sent inside the roster service's transaction);
    the points app moves the person's standing to the new county's rankings.

person_left(sender=Person, person, actor)
    the person has left active service (调离 / 退休 / 去世: ``person.status`` says which; sent
    inside the writing service's transaction); the accounts app disables their account.
"""

from django.dispatch import Signal

person_moved = Signal()
person_left = Signal()
