"""Start-up checks of the account policy settings: a typo in a role code would otherwise leave
that role without the second factor it was meant to need, silently."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

from xuebi.org.choices import Role


@register()
def require_2fa_roles(app_configs, **kwargs):
    unknown = [code for code in settings.XUEBI_REQUIRE_2FA_ROLES if code not in Role.values]
    if not unknown:
        return []
    return [
        Error(
            f"XUEBI_REQUIRE_2FA_ROLES 中有未知的角色代码：{', '.join(unknown)}",
            hint=f"可用的角色代码：{', '.join(Role.values)}",
            id="xuebi.accounts.E001",
        )
    ]


@register()
def token_max_age(app_configs, **kwargs):
    if settings.XUEBI_TOKEN_MAX_AGE_DAYS < 0:
        return [Error("XUEBI_TOKEN_MAX_AGE_DAYS 不能为负数（0 表示令牌不过期）。", id="xuebi.accounts.E002")]
    return []


@register()
def username_style(app_configs, **kwargs):
    from .services.opening import USERNAME_STYLES

    if settings.XUEBI_USERNAME_STYLE in USERNAME_STYLES:
        return []
    return [
        Error(
            f"XUEBI_USERNAME_STYLE 未知：{settings.XUEBI_USERNAME_STYLE}",
            hint=f"可用：{', '.join(USERNAME_STYLES)}",
            id="xuebi.accounts.E003",
        )
    ]
