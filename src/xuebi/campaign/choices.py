from django.db import models
from django.utils.translation import gettext_lazy as _


class Dimension(models.TextChoices):
    """The four 类别 of 双学双比. Fixed by the campaign's name itself, so an enum, not data."""

    THEORY = "theory", _("学理论")
    BUSINESS = "business", _("学业务")
    PARTY_SPIRIT = "party_spirit", _("比党性")
    WORK = "work", _("比工作")


class RuleMethod(models.TextChoices):
    """How a source turns into points (DESIGN.md "Rules are data")."""

    FIXED = "fixed", _("每项固定分值")
    PER_UNIT = "per_unit", _("按数值计分（如每学时0.5分）")
    LOOKUP = "lookup", _("按选项计分（如采用级别）")


class Recipients(models.TextChoices):
    """Who among a source's participants receives the points."""

    AUTHOR = "author", _("记录人")
    PRESENTER = "presenter", _("主讲人")
    ATTENDEES = "attendees", _("参加人员（不含记录人）")
    ALL = "all", _("全部参加人员")
