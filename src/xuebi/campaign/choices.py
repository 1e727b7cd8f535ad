from django.db import models
from django.utils.translation import gettext_lazy as _


class Dimension(models.TextChoices):
    """The four 类别 of 双学双比. Fixed by the campaign's name itself, so an enum, not data."""

    THEORY = "theory", _("学理论")
    BUSINESS = "business", _("学业务")
    PARTY_SPIRIT = "party_spirit", _("比党性")
    WORK = "work", _("比工作")
