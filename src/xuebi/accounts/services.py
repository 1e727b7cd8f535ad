"""Accounts, roles, tokens and second factors: every write here is audited."""
from __future__ import annotations

from axes.utils import reset as axes_reset
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.org.choices import BUSINESS_ROLES, SEPARATED_ROLES, Role
from xuebi.org.models import Person, RoleGrant, Unit, User
from xuebi.org.scoping import forget_grants, has_role

from .models import ApiToken

__all__ = [
    "user_create", "user_update", "user_deactivate", "user_activate", "user_unlock", "user_password_reset",
    "password_change", "role_grant", "role_revoke", "token_create", "token_revoke", "otp_confirm", "otp_remove",
]


def _require(actor, *roles: str) -> None:
    if actor is not None and not has_role(actor, *roles):
        raise PermissionDenied("您无权执行此操作。")


@transaction.atomic
def user_create(*, actor, username: str, full_name: str, password: str, person: Person | None = None,
                must_change_password: bool = True, is_demo: bool = False) -> User:
    """Create an account (系统管理员's work; actor None = a command run by the operator)."""
    _require(actor, Role.SYSADMIN)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "该用户名已被使用。"})
    user = User(username=username, full_name=full_name, person=person, must_change_password=must_change_password, is_demo=is_demo)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    audit_record(action=Action.USER_CREATE, target=user, actor=actor,
                 changes={"username": [None, username], "full_name": [None, full_name]})
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
    user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(action=Action.USER_DEACTIVATE, target=user, actor=actor, changes={"is_active": [True, False]})
    return user


@transaction.atomic
def user_activate(*, actor, user: User) -> User:
    _require(actor, Role.SYSADMIN)
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(action=Action.USER_UPDATE, target=user, actor=actor, changes={"is_active": [False, True]})
    return user


@transaction.atomic
def user_unlock(*, actor, user: User) -> None:
    _require(actor, Role.SYSADMIN)
    axes_reset(username=user.username)
    audit_record(action=Action.USER_UNLOCK, target=user, actor=actor)


@transaction.atomic
def user_password_reset(*, actor, user: User, password: str) -> User:
    """An operator sets a temporary password; the user must change it at the next login."""
    _require(actor, Role.SYSADMIN)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit_record(action=Action.PASSWORD_RESET, target=user, actor=actor)
    return user


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
    audit_record(action=Action.ROLE_GRANT, target=user, actor=actor,
                 changes={"role": [None, grant.get_role_display()], "unit": [None, str(unit) if unit else ""]})
    return grant


@transaction.atomic
def role_revoke(*, actor, grant: RoleGrant) -> None:
    _require(actor, Role.SECADMIN)
    if actor is not None and grant.user_id == actor.pk:
        raise ValidationError("不能撤销自己的角色。")
    audit_record(action=Action.ROLE_REVOKE, target=grant.user, actor=actor,
                 changes={"role": [grant.get_role_display(), None], "unit": [str(grant.unit) if grant.unit else "", None]})
    grant.delete()
    forget_grants(grant.user)


@transaction.atomic
def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the token itself, which is shown once and never stored."""
    if not name.strip():
        raise ValidationError({"name": "请填写令牌用途。"})
    key = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name.strip(), prefix=key[:10], key_hash=ApiToken.hash(key))
    audit_record(action=Action.TOKEN_CREATE, target=user, actor=user, changes={"token": [None, str(token)]})
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


@transaction.atomic
def otp_remove(*, actor, user: User) -> None:
    if actor.pk != user.pk:
        _require(actor, Role.SYSADMIN)
    TOTPDevice.objects.filter(user=user).delete()
    audit_record(action=Action.OTP_DISABLE, target=user, actor=actor)


def requires_second_factor(user) -> bool:
    from django.conf import settings

    return settings.XUEBI_REQUIRE_2FA and has_role(
        user, Role.LEAGUE_ADMIN, Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR
    )


BUSINESS_ROLE_CHOICES = [(r.value, r.label) for r in Role if r in BUSINESS_ROLES]
