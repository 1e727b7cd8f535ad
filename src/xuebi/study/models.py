"""学习清单、学习计划、学习笔记.

A study list (学习清单) is published by a unit to target units and reaches every active person in
the subtrees of those units. Who has finished what is never stored: it follows from the hours
logged (``StudyProgress``) and is computed by aggregate queries in ``selectors.py``, so a late
entry, a new item or a person moving in is reflected without any recomputation.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from xuebi.org.choices import ADMIN_ROLES, PersonStatus, Role
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import ScopedQuerySet, unit_paths

from .choices import ListStatus, MaterialType, NoteKind

__all__ = [
    "StudyList",
    "StudyItem",
    "StudyProgress",
    "StudyPlan",
    "StudyPlanItem",
    "StudyNote",
    "READ_ROLES",
    "reaches_person_q",
]

# Who reads study data of a unit subtree: admins and reviewers. Only admins write lists.
READ_ROLES = frozenset({Role.LEAGUE_ADMIN, Role.UNIT_ADMIN, Role.REVIEWER})


def _ancestor_paths(path: str) -> list[str]:
    """The materialized paths of a unit's strict ancestors (treebeard: fixed-width steps)."""
    return [path[:i] for i in range(Unit.steplen, len(path), Unit.steplen)]


def reaches_person_q(person_id: int) -> Q:
    """Q for study lists that reach a person: published, and one of the target units is the
    person's own unit or an ancestor of it (the person is in its subtree). The person must be
    active (在职). Written as a subquery so that scoping needs no extra query for the unit."""
    in_subtree = Person.objects.filter(
        pk=person_id,
        status=PersonStatus.ACTIVE,
        unit__path__startswith=OuterRef("unit__path"),
    )
    targets = StudyList.target_units.through.objects.filter(studylist_id=OuterRef("pk")).filter(Exists(in_subtree))
    return Q(status=ListStatus.PUBLISHED) & Q(Exists(targets))


def _reaches_subtrees_q(paths: list[str]) -> Q:
    """Q for published lists that reach anybody in these subtrees: a target lies inside one of
    them, or is an ancestor of one of them (a list sent to the whole league reaches a county)."""
    near = Q()
    for path in paths:
        near |= Q(unit__path__startswith=path) | Q(unit__path__in=_ancestor_paths(path))
    targets = StudyList.target_units.through.objects.filter(studylist_id=OuterRef("pk")).filter(near)
    return Q(status=ListStatus.PUBLISHED) & Q(Exists(targets))


# --- study lists ------------------------------------------------------------------------------


class StudyListQuerySet(ScopedQuerySet):
    def reaching(self, person_id: int):
        return self.filter(reaches_person_q(person_id))


class StudyList(models.Model):
    """学习清单: readings and videos a unit asks its people (and those below) to study."""

    title = models.CharField(_("清单名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    unit = models.ForeignKey(Unit, verbose_name=_("发布单位"), on_delete=models.PROTECT, related_name="study_lists")
    target_units = models.ManyToManyField(Unit, verbose_name=_("下发单位"), related_name="received_study_lists")
    status = models.CharField(_("状态"), max_length=10, choices=ListStatus.choices, default=ListStatus.DRAFT)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = StudyListQuerySet.as_manager()

    # The publisher's subtree reads and (admins) changes a list; see scope_self_q for the rest.
    scope_unit_field = "unit"
    scope_roles = {"view": READ_ROLES, "change": ADMIN_ROLES}

    class Meta:
        verbose_name = _("学习清单")
        verbose_name_plural = _("学习清单")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def scope_self_q(user, action):
        """Beyond the publisher's subtree, a published list is read by the people it reaches and
        by the admins and reviewers of the units it reaches, who follow their own people's
        completion of a list sent down from above. Nobody but the publisher's admins changes it."""
        if action != "view":
            return None
        q = Q(pk__in=[])
        if user.person_id:
            q |= reaches_person_q(user.person_id)
        paths = unit_paths(user, READ_ROLES)
        if paths:
            q |= _reaches_subtrees_q(paths)
        return q

    @property
    def is_published(self) -> bool:
        return self.status == ListStatus.PUBLISHED


class StudyItemQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """An item is seen, and changed, with its list."""
        return self.filter(study_list__in=StudyList.objects.visible_to(user, action))

    def reaching(self, person_id: int):
        return self.filter(study_list__in=StudyList.objects.reaching(person_id))


class StudyItem(models.Model):
    """One reading or video of a list, with the hours it asks for and its deadline."""

    study_list = models.ForeignKey(StudyList, verbose_name=_("学习清单"), on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("学习内容"), max_length=200)
    material_type = models.CharField(_("类型"), max_length=10, choices=MaterialType.choices, default=MaterialType.ARTICLE)
    source = models.CharField(_("出处或链接"), max_length=300, blank=True)
    required_hours = models.DecimalField(
        _("要求学时"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text=_("0 表示不限学时，登记过学习即算完成"),
    )
    due_date = models.DateField(_("完成时限"))
    order = models.PositiveIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = StudyItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("学习内容")
        verbose_name_plural = _("学习内容")
        ordering = ["order", "due_date", "pk"]

    def __str__(self) -> str:
        return self.title


# --- progress ---------------------------------------------------------------------------------


class StudyProgress(models.Model):
    """One entry of hours studied on an item. Several per person are normal (a book over weeks)."""

    item = models.ForeignKey(StudyItem, verbose_name=_("学习内容"), on_delete=models.PROTECT, related_name="progress")
    person = models.ForeignKey(Person, verbose_name=_("学习人"), on_delete=models.PROTECT, related_name="study_progress")
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)
    studied_on = models.DateField(_("学习日期"))
    note = models.CharField(_("备注"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_unit_field = "person__unit"
    scope_roles = {"view": READ_ROLES}

    class Meta:
        verbose_name = _("学习进度")
        verbose_name_plural = _("学习进度")
        ordering = ["-studied_on", "-pk"]
        indexes = [
            models.Index(fields=["item", "person"]),
            models.Index(fields=["person", "studied_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="study_progress_hours_range"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.item} · {self.hours}学时"

    @staticmethod
    def scope_self_q(user, action):
        if action == "view" and user.person_id:
            return Q(person_id=user.person_id)
        return None


# --- plans and notes --------------------------------------------------------------------------


def _own_q(user, action):
    """A person reads and edits their own plans and notes; admins and reviewers only read them."""
    if action in ("view", "edit") and user.person_id:
        return Q(person_id=user.person_id)
    return None


class PersonsOwn(models.Model):
    """What a plan and a note share: timestamps and the scoping of a person's own writing."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    scope_unit_field = "person__unit"
    scope_roles = {"view": READ_ROLES, "edit": frozenset()}
    scope_self_q = staticmethod(_own_q)

    class Meta:
        abstract = True


class StudyPlan(PersonsOwn):
    """学习计划: what a cadre means to study in a year, as a list of dated steps."""

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="study_plans")
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("计划名称"), max_length=200)
    goals = models.TextField(_("学习目标"), blank=True)
    target_hours = models.DecimalField(_("计划学时"), max_digits=6, decimal_places=1, default=Decimal("0"))

    class Meta:
        verbose_name = _("学习计划")
        verbose_name_plural = _("学习计划")
        ordering = ["-year", "-pk"]
        indexes = [models.Index(fields=["person", "year"])]

    def __str__(self) -> str:
        return self.title


class StudyPlanItem(models.Model):
    plan = models.ForeignKey(StudyPlan, verbose_name=_("学习计划"), on_delete=models.CASCADE, related_name="items")
    text = models.CharField(_("计划内容"), max_length=300)
    due_date = models.DateField(_("计划完成日期"), null=True, blank=True)
    done = models.BooleanField(_("已完成"), default=False)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("学习计划事项")
        verbose_name_plural = _("学习计划事项")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


class StudyNote(PersonsOwn):
    """学习笔记 or 心得体会, optionally about one item of a study list."""

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="study_notes")
    kind = models.CharField(_("类别"), max_length=12, choices=NoteKind.choices, default=NoteKind.NOTE)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    item = models.ForeignKey(
        StudyItem,
        verbose_name=_("对应学习内容"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notes",
    )

    class Meta:
        verbose_name = _("学习笔记")
        verbose_name_plural = _("学习笔记")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["person", "created_at"])]

    def __str__(self) -> str:
        return self.title
