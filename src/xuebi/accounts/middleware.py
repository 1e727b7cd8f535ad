"""Session and account policy applied to every signed-in page request."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

# Pages a user may reach while the policy holds them (changing the password, enrolling 2FA …).
_ALWAYS_ALLOWED = ("/accounts/logout/", "/accounts/password/", "/accounts/2fa/", "/static/", "/api/")


def _redirect(request, url: str):
    if request.headers.get("HX-Request"):
        response = redirect(url)
        response.status_code = 204
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class IdleTimeoutMiddleware:
    """End a session after XUEBI_IDLE_TIMEOUT_MINUTES without a request (等保: 30 minutes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not request.path.startswith(("/static/", "/api/")):
            now = time.time()
            last = request.session.get("last_seen")
            limit = settings.XUEBI_IDLE_TIMEOUT_MINUTES * 60
            if last is not None and now - last > limit:
                request.xuebi_logout_reason = "timeout"
                logout(request)
                messages.info(request, f"您已超过{settings.XUEBI_IDLE_TIMEOUT_MINUTES}分钟未操作，为安全起见已退出，请重新登录。")
                return _redirect(request, f"{reverse('accounts:login')}?next={request.path}")
            # Write the session at most once a minute, not on every request.
            if last is None or now - last > 60:
                request.session["last_seen"] = now
        response = self.get_response(request)
        # Signing in starts the idle clock.
        if request.user.is_authenticated and hasattr(request, "session") and "last_seen" not in request.session:
            request.session["last_seen"] = time.time()
        return response


class AccountPolicyMiddleware:
    """Forced password change (first login, expiry) and 2FA enrolment for the roles that need it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(_ALWAYS_ALLOWED):
            from .services.accounts import requires_second_factor

            if user.must_change_password and not user.is_demo:
                messages.warning(request, "首次登录或密码已被重置，请先修改密码。")
                return _redirect(request, reverse("accounts:password_change"))
            if user.password_expired(settings.XUEBI_PASSWORD_MAX_AGE_DAYS):
                messages.warning(request, f"密码已使用超过{settings.XUEBI_PASSWORD_MAX_AGE_DAYS}天，请修改密码。")
                return _redirect(request, reverse("accounts:password_change"))
            if requires_second_factor(user) and not user.is_verified():
                messages.warning(request, "您的角色须启用双因素认证，请先绑定动态口令。")
                return _redirect(request, reverse("accounts:otp_setup"))
        return self.get_response(request)
