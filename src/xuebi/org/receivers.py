"""What org does when its rows change; connected in OrgConfig.ready."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from .models import Person, RoleGrant, Unit, User
from .scoping import access_changed


def _access_changed(sender, **kwargs):
    """An account, a grant, a person (the roster's cadre role) or a unit (the grants' paths)
    changed: the signed-in users' kept copies are out of date (``scoping.access_changed``)."""
    access_changed()


for _model in (User, RoleGrant, Person, Unit):
    post_save.connect(_access_changed, sender=_model, dispatch_uid=f"org.access_changed_saved.{_model.__name__}")
    post_delete.connect(_access_changed, sender=_model, dispatch_uid=f"org.access_changed_deleted.{_model.__name__}")
