"""Opening accounts from the roster in bulk (开通账号): preview, then create in one transaction.

Who opens: the 系统管理员, for anyone on the roster; and a 盟级/单位管理员, for the 组工干部 of
their own roster (their 'change' scope) — the department onboarding its own cadres. Such an
account carries no grant: its only role is the cadre role it derives from the roster entry, so
the admin hands out nothing that the secadmin keeps (docs/decisions.md, "Who opens accounts").

The 系统管理员 holds no business data, so this module reads of the roster only what an account
needs: a person's name, unit, status, whether they are a 组工干部 and whether they have an account.

Usernames come from the name's pinyin (XUEBI_USERNAME_STYLE) and are made unique predictably:
the first of ``wangfang``, ``wangfang2``, ``wangfang3`` … that no account (active or not) holds and
no one earlier in the same batch took. The batch is ordered by unit and pinyin, so the preview
and the confirmation compute the same names; the confirmation recomputes them under lock and
refuses if anything changed in between.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record, audit_record_many
from xuebi.core import pinyin
from xuebi.org.choices import Role
from xuebi.org.models import Person, Unit, User
from xuebi.org.scoping import has_role

from .accounts import _require

__all__ = [
    "OpeningPlan",
    "OpenedAccount",
    "accounts_open_preview",
    "accounts_open",
    "initial_password",
    "username_base",
    "MAX_BATCH",
    "OPENERS",
    "opening_units",
]

MAX_BATCH = 500
"""The most accounts one confirmation opens: hashing is ~26 ms each (InitialPasswordHasher), so
500 take ~13 s in the request — a league's few hundred cadres at once, a larger one by unit."""

USERNAME_STYLES = {
    "full": "姓名全拼（王芳 → wangfang）",
    "surname_initials": "姓全拼加名首字母（王芳 → wangf，巴依斯古楞 → baysgl）",
}

# No 0/O/o, 1/l/I: the password is read off a paper slip and typed by hand.
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_DIGITS = "23456789"
_ALPHABET = _UPPER + _LOWER + _DIGITS


class InitialPasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane) for initial passwords only.

    Django's default Argon2 parameters (100 MiB, 8 lanes) cost ~140 ms a hash here: 300 cadres
    would keep a request for 43 s. An initial password carries ~57 random bits (not a person's
    choice, so no dictionary helps) and lives until the first sign-in, where Django re-hashes it
    with the default parameters (``must_update``) just before the forced change replaces it.
    The hash names its parameters, so the ordinary Argon2 hasher verifies it."""

    memory_cost = 19 * 1024
    time_cost = 2
    parallelism = 1


def initial_password(username: str = "") -> str:
    """Ten readable characters in two groups, ``Kp7mX-r4tQz``: upper, lower, digit and the dash,
    so it passes the 等保 validators (checked, and drawn again in the rare case it does not)."""
    probe = User(username=username)
    while True:
        chars = [secrets.choice(_ALPHABET) for _ in range(10)]
        word = "".join(chars[:5]) + "-" + "".join(chars[5:])
        if not (any(c in _UPPER for c in word) and any(c in _LOWER for c in word) and any(c in _DIGITS for c in word)):
            continue
        try:
            password_validation.validate_password(word, probe)
        except ValidationError:
            continue
        return word


def username_base(name: str, style: str | None = None) -> str:
    style = style or settings.XUEBI_USERNAME_STYLE
    if style == "surname_initials":
        base = pinyin.full(name[:1]) + pinyin.initials(name[1:])
    else:
        base = pinyin.full(name)
    base = "".join(c for c in base if c.isascii() and c.isalnum()).lower()[:26]
    return base or "user"


@dataclass(frozen=True)
class PlannedAccount:
    person_id: int
    name: str
    unit: str
    username: str


@dataclass(frozen=True)
class Skipped:
    person_id: int
    name: str
    unit: str
    reason: str


@dataclass
class OpeningPlan:
    accounts: list[PlannedAccount] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def usernames(self) -> dict[int, str]:
        return {a.person_id: a.username for a in self.accounts}


@dataclass(frozen=True)
class OpenedAccount:
    user_id: int
    name: str
    unit: str
    username: str
    password: str


def _unit_labels(paths: set[str]) -> dict[str, str]:
    """Unit path → "阿巴嘎旗委组织部 组织股": the unit's name under its county (section names repeat)."""
    steplen = Unit.steplen
    prefixes = {p[:i] for p in paths for i in range(steplen, len(p) + 1, steplen)}
    names = dict(Unit.objects.filter(path__in=prefixes).values_list("path", "name"))
    labels = {}
    for path in paths:
        parts = [names.get(path[:i], "") for i in range(steplen, len(path) + 1, steplen)]
        labels[path] = " ".join(parts[1:] if len(parts) > 1 else parts)
    return labels


def _taken_usernames(bases: set[str]) -> set[str]:
    """Every existing username (lower case) that starts with one of the bases: one query a few hundred bases."""
    taken: set[str] = set()
    ordered = sorted(bases)
    for i in range(0, len(ordered), 300):
        q = Q()
        for base in ordered[i : i + 300]:
            q |= Q(username__istartswith=base)
        taken.update(u.lower() for u in User.objects.filter(q).values_list("username", flat=True))
    return taken


OPENERS = (Role.SYSADMIN, Role.LEAGUE_ADMIN, Role.UNIT_ADMIN)


def _roster_of(actor):
    """The people ``actor`` may open accounts for: the whole roster for the 系统管理员 (or an
    operator's command, actor None), the admin's own 'change' scope otherwise."""
    if actor is None or has_role(actor, Role.SYSADMIN):
        return Person.objects.all()
    return Person.objects.visible_to(actor, "change")


def _cadres_only(actor) -> bool:
    return actor is not None and not has_role(actor, Role.SYSADMIN)


def _select(*, actor, unit: Unit | None, person_ids: list[int] | None):
    if unit is None and not person_ids:
        raise ValidationError({"unit": "请选择单位，或勾选要开通账号的人员。"})
    people = _roster_of(actor)
    if unit is not None:
        people = people.filter(unit__path__startswith=unit.path)
    if person_ids:
        people = people.filter(pk__in=person_ids)
    return (
        people.annotate(account_username=F("account__username"), unit_path=F("unit__path"))
        .order_by("unit__path", "name_pinyin", "pk")
        .values("pk", "name", "status", "is_org_cadre", "unit_path", "account_username")
    )


def opening_units(actor):
    """The units ``actor`` may pick to open accounts in (active ones)."""
    units = Unit.objects.filter(is_active=True)
    if _cadres_only(actor):
        units = units.visible_to(actor, "change")
    return units


def _plan(rows: list[dict], *, cadres_only: bool = False) -> OpeningPlan:
    from xuebi.org.choices import PersonStatus

    labels = _unit_labels({r["unit_path"] for r in rows})
    plan = OpeningPlan()
    wanted = []
    for r in rows:
        unit = labels.get(r["unit_path"], "")
        if r["account_username"]:
            plan.skipped.append(Skipped(r["pk"], r["name"], unit, f"已有账号 {r['account_username']}"))
        elif r["status"] != PersonStatus.ACTIVE:
            plan.skipped.append(Skipped(r["pk"], r["name"], unit, f"已{PersonStatus(r['status']).label}"))
        elif cadres_only and not r["is_org_cadre"]:
            plan.skipped.append(Skipped(r["pk"], r["name"], unit, "不是组工干部，需由系统管理员开通"))
        else:
            wanted.append((r, unit, username_base(r["name"])))
    taken = _taken_usernames({base for _, _, base in wanted})
    for r, unit, base in wanted:
        username, n = base, 1
        while username in taken or len(username) < 3:
            n += 1
            username = f"{base}{n}"
        taken.add(username)
        plan.accounts.append(PlannedAccount(r["pk"], r["name"], unit, username))
    return plan


def accounts_open_preview(
    *, actor, unit: Unit | None = None, person_ids: list[int] | None = None, without_account_only: bool = False
) -> OpeningPlan:
    """Who would get which username (and who is skipped, and why); writes nothing."""
    _require(actor, *OPENERS)
    plan = _plan(list(_select(actor=actor, unit=unit, person_ids=person_ids)), cadres_only=_cadres_only(actor))
    if without_account_only:
        plan.skipped = [s for s in plan.skipped if not s.reason.startswith("已有账号")]
    return plan


def accounts_open(*, actor, person_ids: list[int], expected: dict[int, str] | None = None) -> list[OpenedAccount]:
    """Open an account for each of these people, as previewed: all in one transaction, each linked
    to its person, each with a random initial password to change at first sign-in. Returns the
    passwords — the only time they exist in clear; the caller hands them over once.

    ``expected`` (person id → username, from the preview) makes the confirmation refuse if the
    outcome would differ from what the 系统管理员 saw."""
    _require(actor, *OPENERS)
    person_ids = sorted(set(person_ids or []))
    if not person_ids:
        raise ValidationError({"person_ids": "请勾选要开通账号的人员。"})
    if len(person_ids) > MAX_BATCH:
        raise ValidationError({"person_ids": f"一次最多开通{MAX_BATCH}个账号，请按单位分批开通。"})
    plan = _plan(list(_select(actor=actor, unit=None, person_ids=person_ids)), cadres_only=_cadres_only(actor))
    _check(plan, person_ids, expected)
    # The costly part (hashing) before the transaction, so the rows are locked for milliseconds.
    hasher = InitialPasswordHasher()
    passwords = {a.person_id: initial_password(a.username) for a in plan.accounts}
    hashes = {pid: make_password(pw, hasher=hasher) for pid, pw in passwords.items()}
    try:
        users = _write(actor, plan, person_ids, hashes)
    except IntegrityError:
        # Another batch took one of these usernames (or people) between our check and our insert.
        raise ValidationError("开通期间账号情况发生了变化，请重新预览后再确认。") from None
    return [OpenedAccount(u.pk, a.name, a.unit, a.username, passwords[a.person_id]) for u, a in zip(users, plan.accounts)]


def _write(actor, plan: OpeningPlan, person_ids: list[int], hashes: dict[int, str]) -> list[User]:
    with transaction.atomic():
        list(Person.objects.filter(pk__in=person_ids).select_for_update().values_list("pk", flat=True))
        again = _plan(list(_select(actor=actor, unit=None, person_ids=person_ids)), cadres_only=_cadres_only(actor))
        if again.accounts != plan.accounts:
            raise ValidationError("开通期间账号情况发生了变化，请重新预览后再确认。")
        now = timezone.now()
        users = User.objects.bulk_create(
            [
                User(
                    username=a.username,
                    full_name=a.name,
                    person_id=a.person_id,
                    password=hashes[a.person_id],
                    must_change_password=True,
                    is_demo=False,
                    password_changed_at=now,
                )
                for a in plan.accounts
            ],
            batch_size=200,
        )
        if any(u.pk is None for u in users):  # a backend that cannot return the new ids
            ids = dict(User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk"))
            for u in users:
                u.pk = ids[u.username]
        audit_record_many(
            action=Action.USER_CREATE,
            actor=actor,
            targets=[
                (
                    u,
                    {
                        "username": [None, u.username],
                        "full_name": [None, u.full_name],
                        "person": [None, f"{a.name}（{a.unit}）"],
                        "source": "花名册批量开通",
                    },
                )
                for u, a in zip(users, plan.accounts)
            ],
        )
        audit_record(
            action=Action.ACCOUNTS_OPEN,
            actor=actor,
            target_repr=f"批量开通账号 {len(users)} 个",
            changes={"count": len(users), "usernames": [u.username for u in users]},
        )
    return users


def _check(plan: OpeningPlan, person_ids: list[int], expected: dict[int, str] | None) -> None:
    found = {a.person_id for a in plan.accounts} | {s.person_id for s in plan.skipped}
    errors = []
    if missing := [str(pid) for pid in person_ids if pid not in found]:
        errors.append(f"找不到编号为 {', '.join(missing[:10])} 的人员。")
    errors += [f"{s.name}（{s.unit}）：{s.reason}，不能开通。" for s in plan.skipped]
    planned = plan.usernames
    if expected and any(planned.get(int(pid)) != name for pid, name in expected.items()):
        errors.append("预览之后账号情况发生了变化（用户名不同），请重新预览后再确认。")
    if not errors and not plan.accounts:
        errors.append("没有需要开通账号的人员。")
    if errors:
        raise ValidationError({"person_ids": errors})
