from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from xuebi.core import crypto, dates, idcard, phone

from .choices import (
    ADMIN_ROLES,
    ETHNIC_CHOICES,
    Education,
    PersonStatus,
    PoliticalStatus,
    Role,
    Sex,
    UnitKind,
)
from .scoping import ScopedQuerySet, has_role

VIEW_ROLES = frozenset({Role.LEAGUE_ADMIN, Role.UNIT_ADMIN, Role.REVIEWER})


class UnitQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    pass


class UnitManager(MP_NodeManager.from_queryset(UnitQuerySet)):
    def get_queryset(self):
        return UnitQuerySet(self.model).order_by("path")


class Unit(MP_Node):
    """单位/组织: 盟委组织部 → 旗县市区委组织部 → 科室/党支部."""

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices, default=UnitKind.SECTION)
    code = models.CharField(_("区划代码"), max_length=12, blank=True, help_text=_("GB/T 2260 代码，如 152522"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = UnitManager()

    # Any business role sees the units of its subtree; only admins change them.
    scope_unit_field = ""
    scope_roles = {
        "view": frozenset({Role.LEAGUE_ADMIN, Role.UNIT_ADMIN, Role.REVIEWER, Role.CADRE, Role.JUDGE}),
        "change": ADMIN_ROLES,
    }

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class PersonQuerySet(ScopedQuerySet):
    def search(self, text: str):
        """Name, full pinyin or pinyin initials (巴依斯古楞: 巴依, bayisi, bysgl)."""
        text = (text or "").strip()
        if not text:
            return self
        key = text.lower().replace(" ", "")
        q = Q(name__contains=text)
        if key.isascii():
            q |= Q(name_pinyin__startswith=key) | Q(name_initials__startswith=key)
        return self.filter(q)

    def active(self):
        return self.filter(status=PersonStatus.ACTIVE)


class Person(models.Model):
    """人员: one entry of the roster (花名册). Accounts link to it; business data hangs off it."""

    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(_("姓名全拼"), max_length=200, editable=False, db_index=True)
    name_initials = models.CharField(_("姓名拼音首字母"), max_length=50, editable=False, db_index=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    # No default: 汉族 assumed for everyone was wrong for a third of 锡林郭勒 (issue 13). Blank only
    # where an imported sheet had no 民族 column; the form requires it.
    ethnicity = models.CharField(_("民族"), max_length=10, choices=ETHNIC_CHOICES, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    # 身份证号: encrypted at rest, unique through a keyed hash, shown masked (DOMAIN.md).
    id_number_encrypted = models.TextField(editable=False, blank=True)
    id_number_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    phone = models.CharField(_("手机号码"), max_length=11, blank=True)
    unit = models.ForeignKey(Unit, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="people")
    position = models.CharField(_("职务"), max_length=100, blank=True)
    rank = models.CharField(_("职级"), max_length=50, blank=True)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices, blank=True)
    political_status = models.CharField(
        _("政治面貌"), max_length=20, choices=PoliticalStatus.choices, default=PoliticalStatus.MEMBER
    )
    joined_party_date = models.DateField(_("入党日期"), null=True, blank=True)
    full_member_date = models.DateField(_("转正日期"), null=True, blank=True)
    work_start_date = models.DateField(_("参加工作日期"), null=True, blank=True)
    # The precision each date was given in ("month" for 2001年7月), keyed by field name; absent = day.
    date_precision = models.JSONField(default=dict, blank=True, editable=False)
    is_org_cadre = models.BooleanField(_("组工干部"), default=True)
    status = models.CharField(_("状态"), max_length=20, choices=PersonStatus.choices, default=PersonStatus.ACTIVE)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    scope_unit_field = "unit"
    # pick: who may be named in a record the user writes (attendees, presenters) — an organizer
    # of any business role picks from the subtree of their grant; a cadre sees only their own
    # roster entry but may still pick colleagues as attendees.
    scope_roles = {"view": VIEW_ROLES, "change": ADMIN_ROLES, "reveal": ADMIN_ROLES, "pick": VIEW_ROLES | {Role.CADRE}}

    DATE_FIELDS = ("birth_date", "joined_party_date", "full_member_date", "work_start_date")

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["unit__path", "name_pinyin", "pk"]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["updated_at"], name="org_person_updated"),
        ]  # the roster's version: its latest change

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def scope_self_q(user, action):
        # A cadre sees their own roster entry, nothing more.
        if action == "view" and user.person_id:
            return Q(pk=user.person_id)
        return None

    def save(self, *args, **kwargs):
        self.fill_pinyin()
        super().save(*args, **kwargs)

    def fill_pinyin(self) -> None:
        """The search keys of the name (save() fills them; bulk writes call this themselves)."""
        from xuebi.core import pinyin

        self.name_pinyin = pinyin.full(self.name)
        self.name_initials = pinyin.initials(self.name)

    # --- 身份证号 -------------------------------------------------------------
    @property
    def id_number(self) -> str:
        return crypto.decrypt(self.id_number_encrypted)

    def set_id_number(self, number: str) -> None:
        if number:
            self.id_number_encrypted = crypto.encrypt(number)
            self.id_number_hash = crypto.keyed_hash(number)
            self.id_number_masked = idcard.mask(number)
        else:
            self.id_number_encrypted, self.id_number_hash, self.id_number_masked = "", None, ""

    @staticmethod
    def hash_id_number(number: str) -> str:
        return crypto.keyed_hash(idcard.normalize(number))

    @property
    def phone_masked(self) -> str:
        return phone.mask(self.phone)

    # --- dates ----------------------------------------------------------------
    def date_display(self, field: str) -> str:
        return dates.display(getattr(self, field), self.date_precision.get(field, dates.DAY))

    @property
    def is_active(self) -> bool:
        return self.status == PersonStatus.ACTIVE

    @property
    def party_standing_years(self) -> int | None:
        """党龄 in whole years, counted from 转正 (DOMAIN.md)."""
        if not self.full_member_date:
            return None
        today = timezone.localdate()
        start = self.full_member_date
        return today.year - start.year - ((today.month, today.day) < (start.month, start.day))


class UnitMembership(models.Model):
    """Which unit a person belonged to, from when to when: points stay with the unit of the time."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("终止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("任职单位记录")
        ordering = ["person", "start_date", "pk"]
        indexes = [models.Index(fields=["person", "start_date"])]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(end_date__isnull=True), name="one_open_membership"),
        ]


class XuebiUserManager(UserManager):
    pass


class User(AbstractUser):
    """An account. A cadre's account links to their roster entry; 三员 accounts link to none."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    person = models.OneToOneField(
        Person, verbose_name=_("对应人员"), null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    # Demo accounts keep their published password (README) and skip the forced change.
    is_demo = models.BooleanField(default=False, editable=False)

    objects = XuebiUserManager()

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self) -> str:
        return self.full_name or self.username

    def has_role(self, *roles: str) -> bool:
        return has_role(self, *roles)

    @property
    def is_roster_cadre(self) -> bool:
        """Whether the account is a cadre of its person's unit through the roster, without a grant
        (an active account linked to an active 组工干部; scoping.grants_of reads the same in SQL)."""
        person = self.person if self.person_id else None
        return bool(self.is_active and person is not None and person.is_active and person.is_org_cadre)

    def password_expired(self, max_age_days: int) -> bool:
        if self.is_demo or max_age_days <= 0:
            return False
        changed = self.password_changed_at or self.date_joined
        return timezone.now() - changed > dt.timedelta(days=max_age_days)


class RoleGrant(models.Model):
    """A role held on a unit (reaching its subtree); 三员 roles are held on no unit."""

    user = models.ForeignKey(User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="role_grants"
    )
    granted_at = models.DateTimeField(_("授予时间"), auto_now_add=True)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="unique_role_grant"),
            models.UniqueConstraint(fields=["user", "role"], condition=Q(unit__isnull=True), name="unique_unitless_grant"),
            models.CheckConstraint(
                condition=Q(role__in=["sysadmin", "secadmin", "auditor"], unit__isnull=True)
                | (~Q(role__in=["sysadmin", "secadmin", "auditor"]) & Q(unit__isnull=False)),
                name="separated_roles_have_no_unit",
            ),
        ]

    def __str__(self) -> str:
        where = f" @ {self.unit}" if self.unit_id else ""
        return f"{self.user} · {self.get_role_display()}{where}"


class MedalKind(models.TextChoices):
    FIFTY_YEARS = "50years", _("光荣在党50年纪念章")


class MedalIssue(models.Model):
    """A medal given to a person (光荣在党50年纪念章): when, by which unit. One of each kind a person."""

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="medals")
    kind = models.CharField(_("纪念章"), max_length=20, choices=MedalKind.choices, default=MedalKind.FIFTY_YEARS)
    year = models.PositiveSmallIntegerField(_("年度"))
    issued_on = models.DateField(_("颁发日期"))
    unit = models.ForeignKey(Unit, verbose_name=_("颁发单位"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        User, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "person__unit"
    scope_roles = {
        "view": frozenset({Role.LEAGUE_ADMIN, Role.UNIT_ADMIN}),
        "change": frozenset({Role.LEAGUE_ADMIN, Role.UNIT_ADMIN}),
    }

    class Meta:
        verbose_name = _("纪念章颁发")
        verbose_name_plural = _("纪念章颁发")
        constraints = [models.UniqueConstraint(fields=["person", "kind"], name="org_medal_once_a_person")]
        indexes = [models.Index(fields=["kind", "issued_on"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()}"
