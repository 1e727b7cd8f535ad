"""/api/v1/: the same services and the same scoping as the pages (django-ninja, OpenAPI at /api/v1/openapi.json)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from xuebi.accounts.models import ApiToken


class BearerToken(HttpBearer):
    """Authorization: Bearer xb_… — a personal access token (accounts.ApiToken)."""

    def authenticate(self, request, token):
        row = ApiToken.objects.usable().select_related("user").filter(key_hash=ApiToken.hash(token)).first()
        if row is None or not row.user.is_active:
            return None
        if row.last_used_at is None or (timezone.now() - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        ctx = getattr(request, "xuebi_context", None)
        if ctx is not None:
            ctx.user = row.user
        return row.user


class SessionAuth(APIKeyCookie):
    """The browser's session (with CSRF), so pages can call the API too."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


api = NinjaAPI(
    title="学比 xuebi API",
    version="1",
    description="双学双比平台接口。认证：个人访问令牌（Authorization: Bearer <令牌>，由 `xuebi token 用户名` 或“我的令牌”页面生成），或已登录的浏览器会话。",
    auth=[BearerToken(), SessionAuth(csrf=True)],
    urls_namespace="api",
)


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return api.create_response(request, {"detail": "未认证：请提供有效的访问令牌。"}, status=401)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "无权执行此操作。"}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "找不到该对象，或您无权访问。"}, status=404)


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    details = []
    for error in exc.errors:
        loc = [str(p) for p in error.get("loc", [])]
        field = loc[-1] if loc else ""
        details.append({"loc": loc, "msg": f"字段“{field}”格式不正确：{error.get('msg', '')}"})
    return api.create_response(request, {"detail": details}, status=422)


def _routers():
    from xuebi.org.api import router as org_router

    api.add_router("/", org_router)


_routers()
