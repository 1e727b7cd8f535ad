"""组工信息: information items (报送) sent up by the county departments (and the league
department's sections), and their adoptions (采用) recorded by the league department.

An ``InfoItem`` has a unit (the submitting department: a child of the league's root), a title, the
text, the date it was sent, its authors in order (``InfoAuthor``, with each author's unit at the
time) and a status. An ``Adoption`` says one outlet (中组部, 自治区, 盟, 本级简报 — ``conf.outlets``)
took the item: as a long or short piece, perhaps with a leader's 批示, on a date. One item may be
adopted by several outlets. Each standing adoption is a source of points (``points/orginfo_source``);
undoing one keeps the row (``undone_at``) and reverses its points.

Who sees what (``visible_to``):
* an item — the admins and reviewers of its unit's subtree (a league admin all); a cadre every item
  of their county (the department their grant sits under), and their own (submitted or authored);
* ``change`` (edit, withdraw) — the admins of its unit, and its submitter;
* ``adopt`` (record or undo an adoption) — league admins only;
* an adoption — whoever sees its item.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xuebi.org.choices import ADMIN_ROLES, SEPARATED_ROLES, Role
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import ScopedQuerySet, grants_of, has_role, subtree_q, unit_paths

from . import conf

__all__ = [
    "source_kinds",
    "INSTRUCTION_NAMES",
    "ItemStatus",
    "Length",
    "Instruction",
    "InfoItem",
    "InfoAuthor",
    "Adoption",
    "text_length",
    "county_path",
]

_SPACE = re.compile(r"\s+")


def text_length(text: str) -> int:
    """The length of a piece as the department counts it: characters, whitespace not counted."""
    return len(_SPACE.sub("", text or ""))


def county_path(path: str) -> str:
    """The path of the department a unit belongs to: its ancestor just under the league's root
    (the unit itself at that depth; the root for the root)."""
    return path[: 2 * Unit.steplen] if len(path) >= 2 * Unit.steplen else path


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    WITHDRAWN = "withdrawn", _("已撤回")


class Length(models.TextChoices):
    LONG = "long", _("长篇")
    SHORT = "short", _("短篇")


class Instruction(models.TextChoices):
    """A leader's 批示 on an adopted item, by the leader's level; the value's name (国家, 自治区,
    盟) is the key the 批示 rule's 选项分值 use."""

    NATIONAL = "national", _("国家")
    REGION = "region", _("省（自治区）")
    LEAGUE = "league", _("市（盟）")


INSTRUCTION_NAMES = {"national": "国家", "region": "自治区", "league": "盟"}


class InfoItemQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = "view"):
        grants = grants_of(user)
        if not grants or all(role in SEPARATED_ROLES for role, _p, _u in grants):
            return self.none()
        q = subtree_q(unit_paths(user, self.model.scope_roles.get(action, frozenset())), self.model.scope_unit_field)
        if action == "view":
            counties = sorted({county_path(path) for role, path, _u in grants if role == Role.CADRE and path})
            q |= subtree_q(counties, "unit")
        own = _own_q(user, action)
        if own is not None:
            q |= own
        return self.filter(q)


def _own_q(user, action: str):
    """A cadre's (or an admin's) own items: those they submitted (view and change — the service
    decides what a change may do), and those naming them as an author (view)."""
    if action not in ("view", "change") or not has_role(user, Role.CADRE, *ADMIN_ROLES):
        return None
    mine = Q(submitted_by=user)
    if action == "view" and getattr(user, "person_id", None):
        mine |= Q(pk__in=InfoAuthor.objects.filter(person_id=user.person_id).values("item_id"))
    return mine


class InfoItem(models.Model):
    unit = models.ForeignKey(Unit, verbose_name=_("报送单位"), on_delete=models.PROTECT, related_name="info_items")
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("正文"))
    submitted_on = models.DateField(_("报送日期"))
    authors = models.ManyToManyField(Person, verbose_name=_("作者"), through="InfoAuthor", related_name="info_items")
    status = models.CharField(_("状态"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.DRAFT)
    chars = models.PositiveIntegerField(_("字数"), default=0, help_text=_("不计空白"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = InfoItemQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_roles = {
        "view": frozenset({Role.LEAGUE_ADMIN, Role.UNIT_ADMIN, Role.REVIEWER}),
        "change": ADMIN_ROLES,
        "adopt": frozenset({Role.LEAGUE_ADMIN}),
    }

    class Meta:
        verbose_name = _("组工信息")
        verbose_name_plural = _("组工信息")
        ordering = ["-submitted_on", "-pk"]
        indexes = [models.Index(fields=["unit", "submitted_on"]), models.Index(fields=["status", "submitted_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def default_length(self) -> str:
        return Length.LONG if self.chars >= conf.long_from() else Length.SHORT


class InfoAuthor(models.Model):
    """An author of an item, in order, with the unit they were in when it was sent (points belong
    to the unit at the time)."""

    item = models.ForeignKey(InfoItem, on_delete=models.CASCADE, related_name="author_rows")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["item", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["item", "person"], name="orginfo_author_once")]


class AdoptionQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """Whoever sees the item sees its adoptions; only a league admin changes them."""
        items = InfoItem.objects.visible_to(user, "view" if action == "view" else "adopt")
        return self.filter(item__in=items.values("pk"))

    def standing(self):
        return self.filter(undone_at__isnull=True)


class Adoption(models.Model):
    item = models.ForeignKey(InfoItem, verbose_name=_("组工信息"), on_delete=models.PROTECT, related_name="adoptions")
    outlet = models.CharField(_("采用级别"), max_length=20, help_text=_("中组部、自治区、盟、本级简报（可配置）"))
    length = models.CharField(_("篇幅"), max_length=10, choices=Length.choices)
    length_overridden = models.BooleanField(_("篇幅由管理员指定"), default=False)
    instruction = models.CharField(_("领导批示"), max_length=10, choices=Instruction.choices, blank=True)
    adopted_on = models.DateField(_("采用日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True, help_text=_("如 采用载体、期数"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("撤销人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undo_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    objects = AdoptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("采用情况")
        verbose_name_plural = _("采用情况")
        ordering = ["-adopted_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "outlet"], condition=Q(undone_at__isnull=True), name="orginfo_adoption_once_per_outlet"
            )
        ]
        indexes = [models.Index(fields=["adopted_on"])]

    def __str__(self) -> str:
        return f"{self.item}：{self.outlet_label}"

    @property
    def outlet_name(self) -> str:
        found = conf.outlet(self.outlet)
        return found.name if found else self.outlet

    @property
    def outlet_label(self) -> str:
        found = conf.outlet(self.outlet)
        return found.label if found else self.outlet

    @property
    def length_name(self) -> str:
        return conf.LENGTH_NAMES.get(self.length, self.length)

    @property
    def key(self) -> str:
        """The combined key the Example B table is written in: 盟/长篇."""
        return f"{self.outlet_name}/{self.length_name}"

    @property
    def instruction_name(self) -> str:
        return INSTRUCTION_NAMES.get(self.instruction, "")

    @property
    def is_standing(self) -> bool:
        return self.undone_at is None

    def source_data(self) -> dict:
        """The values a rule of kind ``adoption`` counts on (``SOURCE_KINDS``): the outlet's
        name, the length and the two together (中组部 / 长篇 / 中组部/长篇)."""
        return {"level": self.outlet_name, "length": self.length_name, "key": self.key}

    def instruction_data(self) -> dict:
        """The value a rule of kind ``instruction`` counts on (国家 / 自治区 / 盟); empty without one."""
        return {"instruction": self.instruction_name} if self.instruction else {}


def source_kinds() -> list[dict]:
    """What an adoption offers the campaign's rules: two kinds of source, each with the choice
    fields a LOOKUP rule may count on (``campaign.sources``; registered by ``OrginfoConfig.ready``)."""
    names = [o.name for o in conf.outlets()]
    lengths = list(conf.LENGTH_NAMES.values())
    return [
        {
            "code": "adoption",
            "name": "组工信息采用",
            "fields": [
                {"key": "level", "label": "采用级别", "type": "choice", "choices": names},
                {"key": "length", "label": "篇幅", "type": "choice", "choices": lengths},
                {
                    "key": "key",
                    "label": "采用级别/篇幅",
                    "type": "choice",
                    "choices": [f"{n}/{length}" for n in names for length in lengths],
                },
            ],
        },
        {
            "code": "instruction",
            "name": "组工信息领导批示",
            "fields": [
                {"key": "instruction", "label": "批示级别", "type": "choice", "choices": list(INSTRUCTION_NAMES.values())}
            ],
        },
    ]
