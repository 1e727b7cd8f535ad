from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "xb_"


class ApiTokenQuerySet(models.QuerySet):
    def unrevoked(self):
        """Not revoked — which is not yet usable: see ``ApiToken.refusal`` (expiry, the account)."""
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal access token for /api/v1/. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("访问令牌")
        verbose_name_plural = _("访问令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(key: str) -> str:
        # Tokens carry 256 random bits, so a fast hash is enough (unlike passwords).
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    def refusal(self) -> str:
        """Why this (unrevoked) token no longer opens the API, in words for its holder; "" while it does.
        A token is good only while its account is: not disabled, its password not expired."""
        from xuebi.core import dates

        if self.expires_at is not None and self.expires_at <= timezone.now():
            at = timezone.localtime(self.expires_at)
            return f"访问令牌已于{dates.display(at.date())} {at:%H:%M}过期，请在“访问令牌”页面重新生成。"
        if not self.user.is_active:
            return "账号已停用，访问令牌不再有效。"
        max_age = settings.XUEBI_PASSWORD_MAX_AGE_DAYS
        if self.user.password_expired(max_age):
            return f"密码已使用超过{max_age}天，访问令牌暂停使用；请先在网页上修改密码。"
        return ""
