"""Accounts, roles, tokens and second factors: every write here is audited."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import SESSION_KEY, password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from xuebi.audit.models import Action, AuditEntry
from xuebi.audit.services import audit_record
from xuebi.core import dates
from xuebi.org.choices import BUSINESS_ROLES, SEPARATED_ROLES, PersonStatus, Role
from xuebi.org.models import Person, RoleGrant, Unit, User
from xuebi.org.scoping import forget_grants, has_role

from ..models import ApiToken

__all__ = [
    "user_create",
    "user_update",
    "user_deactivate",
    "user_activate",
    "user_unlock",
    "user_password_reset",
    "password_change",
    "role_grant",
    "role_revoke",
    "token_create",
    "token_revoke",
    "otp_confirm",
    "otp_remove",
    "requires_second_factor",
    "password_reset_notice",
    "user_link_person",
    "user_unlink_person",
    "user_edit",
    "user_disable_for_leaving",
]


def _require(actor, *roles: str) -> None:
    if actor is not None and not has_role(actor, *roles):
        raise PermissionDenied("您无权执行此操作。")


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    full_name: str,
    password: str,
    person: Person | None = None,
    must_change_password: bool = True,
    is_demo: bool = False,
) -> User:
    """Create an account (系统管理员's work; actor None = a command run by the operator)."""
    _require(actor, Role.SYSADMIN)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "该用户名已被使用。"})
    user = User(username=username, full_name=full_name, person=person, must_change_password=must_change_password, is_demo=is_demo)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    audit_record(
        action=Action.USER_CREATE,
        target=user,
        actor=actor,
        changes={"username": [None, username], "full_name": [None, full_name]},
    )
    return user


@transaction.atomic
def user_update(*, actor, user: User, full_name: str) -> User:
    _require(actor, Role.SYSADMIN)
    before = user.full_name
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    if before != full_name:
        audit_record(action=Action.USER_UPDATE, target=user, actor=actor, changes={"full_name": [before, full_name]})
    return user


@transaction.atomic
def user_deactivate(*, actor, user: User) -> User:
    _require(actor, Role.SYSADMIN)
    if actor is not None and user.pk == actor.pk:
        raise ValidationError("不能停用自己的账号。")
    user.is_active = False
    user.save(update_fields=["is_active"])
    _revoke_tokens(user)
    audit_record(action=Action.USER_DEACTIVATE, target=user, actor=actor, changes={"is_active": [True, False]})
    return user


@transaction.atomic
def user_activate(*, actor, user: User) -> User:
    _require(actor, Role.SYSADMIN)
    person = Person.objects.filter(pk=user.person_id).first() if user.person_id else None
    if person is not None and not person.is_active:
        # Disabled because the person left (user_disable_for_leaving): a leaver's account stays off.
        raise ValidationError(
            {
                "is_active": f"{person.name}已{person.get_status_display()}，其账号不能启用。"
                "如确需使用，请先解除与该人员的关联，或在花名册中恢复其在职状态。"
            }
        )
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(action=Action.USER_UPDATE, target=user, actor=actor, changes={"is_active": [False, True]})
    return user


@transaction.atomic
def user_unlock(*, actor, user: User) -> None:
    _require(actor, Role.SYSADMIN)
    axes_reset(username=user.username)
    audit_record(action=Action.USER_UNLOCK, target=user, actor=actor)


SEPARATED_LINK_REFUSAL = "三员分立：系统管理员、安全管理员、审计管理员的账号不持有业务数据，不能关联花名册人员。"


def _person_label(person: Person | None) -> str:
    return f"{person.name}（{person.unit.name}）" if person is not None else ""


@transaction.atomic
def user_link_person(*, actor, user: User, person: Person) -> User:
    """Link an account to its 花名册 person: one account per person; never a 三员 account.
    The sysadmin keeps accounts but reads no business data: only the person's name and unit."""
    _require(actor, Role.SYSADMIN)
    user = User.objects.select_for_update().get(pk=user.pk)
    person = Person.objects.select_related("unit").select_for_update(of=("self",)).get(pk=person.pk)
    if user.person_id == person.pk:
        return user
    if user.role_grants.filter(role__in=SEPARATED_ROLES).exists():
        raise ValidationError({"person": SEPARATED_LINK_REFUSAL})
    other = User.objects.filter(person=person).exclude(pk=user.pk).values_list("username", flat=True).first()
    if other:
        raise ValidationError({"person": f"{person.name}已有账号 {other}，一人只能关联一个账号。"})
    if not person.is_active:
        raise ValidationError({"person": f"{person.name}已{person.get_status_display()}，不能关联账号。"})
    before = User.objects.select_related("person__unit").get(pk=user.pk).person
    user.person = person
    user.save(update_fields=["person"])
    forget_grants(user)
    audit_record(
        action=Action.USER_LINK, target=user, actor=actor, changes={"person": [_person_label(before), _person_label(person)]}
    )
    return user


@transaction.atomic
def user_unlink_person(*, actor, user: User) -> User:
    _require(actor, Role.SYSADMIN)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.person_id:
        return user
    before = Person.objects.select_related("unit").get(pk=user.person_id)
    user.person = None
    user.save(update_fields=["person"])
    forget_grants(user)
    audit_record(action=Action.USER_UNLINK, target=user, actor=actor, changes={"person": [_person_label(before), ""]})
    return user


_UNCHANGED = object()


@transaction.atomic
def user_edit(*, actor, user: User, full_name: str | None = None, is_active: bool | None = None, person=_UNCHANGED) -> User:
    """The account page's one save: name, active, linked person (None unlinks). Each change is
    its own service, so each is checked and audited as when done alone; all or nothing."""
    _require(actor, Role.SYSADMIN)
    if full_name is not None:
        full_name = full_name.strip()
        if not full_name:
            raise ValidationError({"full_name": "请填写姓名。"})
        user_update(actor=actor, user=user, full_name=full_name)
    if person is not _UNCHANGED:
        if person is None:
            user_unlink_person(actor=actor, user=user)
        else:
            user_link_person(actor=actor, user=user, person=person)
        user.refresh_from_db(fields=["person"])
    if is_active is not None and is_active != user.is_active:
        (user_activate if is_active else user_deactivate)(actor=actor, user=user)
    return user


LEAVING_REASONS = {PersonStatus.RETIRED, PersonStatus.TRANSFERRED, PersonStatus.DECEASED}


@transaction.atomic
def user_disable_for_leaving(*, actor, person: Person) -> User | None:
    """A person left active service (调离 / 退休 / 去世): their account is disabled — tokens revoked,
    sessions ended — by whoever recorded the leaving, with the reason. Called by the person_left
    event, so the roster page and the import both do it. A move is not a leaving: the account and
    its history stay."""
    user = User.objects.select_for_update().filter(person_id=person.pk).first()
    if user is None or not user.is_active:
        return None
    user.is_active = False
    user.save(update_fields=["is_active"])
    forget_grants(user)
    tokens, sessions = _revoke_tokens(user), _end_sessions(user)
    audit_record(
        action=Action.USER_DEACTIVATE,
        target=user,
        actor=actor,
        changes={
            "is_active": [True, False],
            "reason": str(PersonStatus(person.status).label),
            "revoked_tokens": tokens,
            "ended_sessions": sessions,
        },
    )
    return user


def _revoke_tokens(user: User) -> int:
    return user.api_tokens.unrevoked().update(revoked_at=timezone.now())


def _end_sessions(user: User) -> int:
    """Delete the user's stored sessions. A new password already voids them — Django checks each
    session against a hash of the password — but the rows would linger until they expire."""
    if settings.SESSION_ENGINE not in ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"):
        return 0
    # The user's id is inside the encoded session data, so the live sessions are read one by one:
    # a few thousand rows at most, on a rare action of the 系统管理员.
    ended = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in ended:
        store(session_key=key).delete()  # through the engine's store, so a cached copy goes too
    return len(ended)


@transaction.atomic
def user_password_reset(*, actor, user: User, password: str) -> User:
    """An operator sets a temporary password. Whoever held the account is put out: its API tokens
    are revoked and its sessions end; at the next login the user is told (password_reset_notice)
    and must change the password before anything else."""
    _require(actor, Role.SYSADMIN)
    if actor is not None and user.pk == actor.pk:
        # It would end the very session making the request; one's own password is changed, not reset.
        raise ValidationError({"password": "不能重置自己的密码，请在“修改密码”页面修改。"})
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    tokens, sessions = _revoke_tokens(user), _end_sessions(user)
    audit_record(
        action=Action.PASSWORD_RESET, target=user, actor=actor, changes={"revoked_tokens": tokens, "ended_sessions": sessions}
    )
    return user


def password_reset_notice(user: User, *, since: dt.datetime | None) -> str:
    """What to tell a user who signs in after a 系统管理员 reset their password (since ``since``,
    their previous login), or "". Read from the audit log, the reset's own record, so it is said once:
    the next login is after it."""
    if not user.must_change_password:
        return ""
    resets = AuditEntry.objects.filter(action=Action.PASSWORD_RESET, target_type=user._meta.label_lower, target_id=str(user.pk))
    if since is not None:
        resets = resets.filter(at__gt=since)
    reset = resets.order_by("-at").first()
    if reset is None:
        return ""
    at = timezone.localtime(reset.at)
    return f"您的密码已由系统管理员于{dates.display(at.date())} {at:%H:%M}重置，请立即修改密码。如非本人申请，请联系系统管理员。"


@transaction.atomic
def password_change(*, user: User, new_password: str) -> User:
    password_validation.validate_password(new_password, user)
    if user.check_password(new_password):
        raise ValidationError({"new_password1": "新密码不能与当前密码相同。"})
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit_record(action=Action.PASSWORD_CHANGE, target=user, actor=user)
    return user


@transaction.atomic
def role_grant(*, actor, user: User, role: str, unit: Unit | None = None) -> RoleGrant:
    """Grant a role, keeping 三员分立: sysadmin, secadmin and auditor are each held alone."""
    _require(actor, Role.SECADMIN)
    if role not in Role.values:
        raise ValidationError({"role": "未知的角色。"})
    held = set(user.role_grants.values_list("role", flat=True))
    if role in SEPARATED_ROLES:
        unit = None
        if user.person_id:
            raise ValidationError({"role": "三员分立：该账号已关联花名册人员，三员账号不能关联人员，请另建账号。"})
        if held - {role}:
            raise ValidationError({"role": "三员分立：系统管理员、安全管理员、审计管理员不能兼任其他角色。"})
    else:
        if unit is None:
            raise ValidationError({"unit": "业务角色须授予在某个单位上。"})
        if held & SEPARATED_ROLES:
            raise ValidationError({"role": "三员分立：该账号已是三员角色，不能再授予业务角色。"})
    if actor is not None and user.pk == actor.pk:
        raise ValidationError({"user": "不能给自己授予角色。"})
    if RoleGrant.objects.filter(user=user, role=role, unit=unit).exists():
        raise ValidationError({"role": "该账号已在此单位拥有此角色。"})
    grant = RoleGrant.objects.create(user=user, role=role, unit=unit, granted_by=actor)
    forget_grants(user)
    audit_record(
        action=Action.ROLE_GRANT,
        target=user,
        actor=actor,
        changes={"role": [None, grant.get_role_display()], "unit": [None, str(unit) if unit else ""]},
    )
    return grant


@transaction.atomic
def role_revoke(*, actor, grant: RoleGrant) -> None:
    _require(actor, Role.SECADMIN)
    if actor is not None and grant.user_id == actor.pk:
        raise ValidationError("不能撤销自己的角色。")
    audit_record(
        action=Action.ROLE_REVOKE,
        target=grant.user,
        actor=actor,
        changes={"role": [grant.get_role_display(), None], "unit": [str(grant.unit) if grant.unit else "", None]},
    )
    grant.delete()
    forget_grants(grant.user)


def _token_expiry(days: int | None) -> dt.datetime | None:
    """When a token made now for ``days`` days expires: at most XUEBI_TOKEN_MAX_AGE_DAYS (0 = no
    limit), that long when ``days`` is not given, never when neither is."""
    limit = settings.XUEBI_TOKEN_MAX_AGE_DAYS
    if days is None:
        days = limit or None
    elif days < 1:
        raise ValidationError({"days": "有效天数应为正整数。"})
    elif limit and days > limit:
        raise ValidationError({"days": f"有效天数最长为{limit}天。"})
    return timezone.now() + dt.timedelta(days=days) if days else None


@transaction.atomic
def token_create(*, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Returns the token row and the token itself, which is shown once and never stored."""
    errors: dict[str, str | list[str]] = {}
    if not name.strip():
        errors["name"] = "请填写令牌用途。"
    try:
        expires_at = _token_expiry(days)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    key = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=key[:10], key_hash=ApiToken.hash(key), expires_at=expires_at
    )
    audit_record(
        action=Action.TOKEN_CREATE,
        target=user,
        actor=user,
        changes={"token": [None, str(token)], "expires_at": [None, expires_at or "不过期"]},
    )
    return token, key


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise PermissionDenied("只能撤销自己的令牌。")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(action=Action.TOKEN_REVOKE, target=token.user, actor=actor, changes={"token": [str(token), None]})


@transaction.atomic
def otp_confirm(*, user: User, device: TOTPDevice, token: str) -> bool:
    if device.user_id != user.pk or not device.verify_token(token):
        audit_record(action=Action.OTP_FAILED, target=user, actor=user, outcome="failure")
        return False
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    audit_record(action=Action.OTP_ENABLE, target=user, actor=user)
    return True


def otp_verify(*, user: User, token: str) -> TOTPDevice | None:
    """The second step of signing in: the user's confirmed device when ``token`` is its current
    code (django-otp throttles repeated failures), else None — and the failure is audited."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    allowed, _ = device.verify_is_allowed() if device else (False, None)
    if device and allowed and device.verify_token(token):
        return device
    audit_record(action=Action.OTP_FAILED, outcome="failure", actor=user, target=user)
    return None


@transaction.atomic
def otp_remove(*, actor, user: User) -> None:
    if actor.pk != user.pk:
        _require(actor, Role.SYSADMIN)
    TOTPDevice.objects.filter(user=user).delete()
    audit_record(action=Action.OTP_DISABLE, target=user, actor=actor)


def requires_second_factor(user) -> bool:
    """Whether the user must sign in with TOTP: XUEBI_REQUIRE_2FA on and a role in XUEBI_REQUIRE_2FA_ROLES."""
    return settings.XUEBI_REQUIRE_2FA and has_role(user, *settings.XUEBI_REQUIRE_2FA_ROLES)


BUSINESS_ROLE_CHOICES = [(r.value, r.label) for r in Role if r in BUSINESS_ROLES]
