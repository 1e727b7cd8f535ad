"""/api/v1/: the same services and the same scoping as the pages (django-ninja, OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from xuebi.accounts.models import ApiToken
from xuebi.core import errors
from xuebi.core.api import ErrorOut, JsonParser
from xuebi.core.text import BadText

logger = logging.getLogger(__name__)


class TokenRefused(AuthenticationError):
    """A token that opened the API and no longer does (expired, account disabled, password expired): 401 with why."""

    def __init__(self, message: str):
        super().__init__(message=message)


class BearerToken(HttpBearer):
    """Authorization: Bearer xb_… — a personal access token (accounts.ApiToken)."""

    def authenticate(self, request, token):
        token = token.strip()
        if not token:
            return None
        row = ApiToken.objects.unrevoked().select_related("user").filter(key_hash=ApiToken.hash(token)).first()
        if row is None:
            return None
        if refusal := row.refusal():
            raise TokenRefused(refusal)
        if row.last_used_at is None or (timezone.now() - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        ctx = getattr(request, "xuebi_context", None)
        if ctx is not None:
            ctx.user = row.user
        return row.user


class SessionAuth(APIKeyCookie):
    """The browser's session (with CSRF), so pages can call the API too.

    The account policy middleware lets /api/ through (an API answers, it does not redirect to a
    page), so the policy is applied here instead: a session that is idle past the limit, or that
    is held at "change your password" / "enrol your second factor", does not reach the data.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            # No session: nothing for CSRF to protect, and the caller should hear 401, not "CSRF failed".
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise PermissionDenied("CSRF 校验失败：请刷新页面后重试；脚本调用请改用访问令牌（Authorization: Bearer）。")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        last = request.session.get("last_seen")
        now = time.time()
        if last is not None and now - last > settings.XUEBI_IDLE_TIMEOUT_MINUTES * 60:
            return None
        if request.method != "GET" and (last is None or now - last > 60):
            # A change sent from a page (an answer saved on the answer sheet) is the person at
            # work: it keeps the session as a page request does. A read (a page polling) does not.
            request.session["last_seen"] = now
        from xuebi.accounts.services.accounts import requires_second_factor

        if user.must_change_password and not user.is_demo:
            raise PermissionDenied("请先在网页上修改密码，然后再使用接口。")
        if user.password_expired(settings.XUEBI_PASSWORD_MAX_AGE_DAYS):
            raise PermissionDenied("密码已过期，请先在网页上修改密码，然后再使用接口。")
        if requires_second_factor(user) and not user.is_verified():
            raise PermissionDenied("您的角色须启用双因素认证，请先在网页上绑定动态口令。")
        return user


class XuebiAPI(NinjaAPI):
    """The API whose OpenAPI document also lists the error answers every operation can give."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                codes = dict(ERROR_RESPONSES)
                if "requestBody" not in operation:
                    codes.pop(413)
                if not operation.get("security"):
                    codes.pop(401)
                for code, description in codes.items():
                    responses.setdefault(code, {"description": description})
                for code, response in responses.items():
                    if 400 <= int(code) < 500:
                        # whatever a view declared (some say just `dict`), every 4xx body is {"detail": …}
                        response.update(error)
        return schema


# Documented for every operation (the handlers below and core.errors answer them, always as JSON).
ERROR_RESPONSES = {
    400: "请求无法解析（无效的 JSON、空字符、不成对的代理字符）",
    401: "未认证：缺少或无效的访问令牌",
    403: "无权执行此操作",
    404: "找不到该对象，或您无权访问",
    413: "请求内容过大",
    422: "输入不正确：detail 为 [{loc, msg}]，msg 以中文指明字段",
}


api = XuebiAPI(
    title="学比 xuebi API",
    version="1",
    description="双学双比平台接口。认证：个人访问令牌（Authorization: Bearer <令牌>，由 `xuebi token 用户名` 或“我的令牌”页面生成），或已登录的浏览器会话。",
    auth=[BearerToken(), SessionAuth(csrf=True)],
    urls_namespace="api",
    parser=JsonParser(),
)


@api.exception_handler(TokenRefused)
def _token_refused(request, exc):
    return api.create_response(request, {"detail": exc.message}, status=401)


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return api.create_response(request, {"detail": "未认证：请提供有效的访问令牌。"}, status=401)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    if isinstance(exc.__cause__, BadText):
        # ninja wraps what the parser raises (core.api.JsonParser): a NUL or a lone surrogate.
        return _bad_text(request, exc.__cause__)
    message = "请求内容无法解析，请提交有效的 JSON。" if exc.status_code == 400 else str(exc)
    return api.create_response(request, {"detail": message}, status=exc.status_code)


@api.exception_handler(BadText)
def _bad_text(request, exc):
    return api.create_response(request, {"detail": [{"loc": exc.loc, "msg": exc.message}]}, status=400)


@api.exception_handler(SuspiciousOperation)
def _suspicious(request, exc):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE (413), too many fields, a malformed upload (400)."""
    status = errors.status_of(exc)
    return api.create_response(request, {"detail": errors.message(status)}, status=status)


@api.exception_handler(DataError)
@api.exception_handler(OverflowError)
def _out_of_range(request, exc):
    """The backstop behind the typed inputs (core.api.DbInt) and the forms: a value the database
    refused. Logged, since reaching it means an input is not typed or validated yet."""
    logger.warning("API input refused by the database at %s: %s", request.path, exc)
    return api.create_response(request, {"detail": "输入的数值或文本超出了允许的范围，请检查后重试。"}, status=422)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "无权执行此操作。"}, status=403)


@api.exception_handler(DjangoValidationError)
def _refused(request, exc):
    """A service refused the input: 422 with its Chinese messages, per field where it names them."""
    from xuebi.core.forms import validation_detail

    return api.create_response(request, {"detail": validation_detail(exc)}, status=422)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "找不到该对象，或您无权访问。"}, status=404)


# Pydantic's messages are English; these are the ones a caller of this API can meet.
_PYDANTIC_MESSAGES = {
    "missing": "必须填写",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文本",
    "greater_than_equal": "不能小于{ge}",
    "greater_than": "应大于{gt}",
    "less_than_equal": "不能大于{le}",
    "less_than": "应小于{lt}",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为列表",
    "json_invalid": "不是有效的 JSON",
}


def _pydantic_message(error: dict) -> str:
    template = _PYDANTIC_MESSAGES.get(error.get("type", ""))
    if template is None:
        return error.get("msg", "")
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return error.get("msg", "")


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    details = []
    for error in exc.errors:
        loc = [str(p) for p in error.get("loc", [])]
        if len(loc) > 2 and loc[0] == "body":
            # ["body", "payload", "unit_id"]: "payload" is the view's parameter, not part of the request.
            loc = [loc[0], *loc[2:]]
        # a list's item is named by its list: "ids" rather than "0"
        field = next((part for part in reversed(loc) if not part.isdigit()), "")
        details.append({"loc": loc, "msg": f"字段“{field}”格式不正确：{_pydantic_message(error)}"})
    return api.create_response(request, {"detail": details}, status=422)


def _routers():
    from xuebi.accounts.api import router as accounts_router
    from xuebi.assessments.api import router as assessments_router
    from xuebi.campaign.api import router as campaign_router
    from xuebi.checklists.api import router as checklists_router
    from xuebi.exams.api import router as exams_router
    from xuebi.contests.api import router as contests_router
    from xuebi.ledger.api import router as ledger_router
    from xuebi.jobs.api import router as jobs_router
    from xuebi.notifications.api import router as notifications_router
    from xuebi.org.api import router as org_router
    from xuebi.orginfo.api import router as orginfo_router
    from xuebi.points.api import router as points_router
    from xuebi.reports.api import router as reports_router
    from xuebi.study.api import router as study_router

    api.add_router("/", org_router)
    api.add_router("/", accounts_router)
    api.add_router("/", campaign_router)
    api.add_router("/", ledger_router)
    api.add_router("/", study_router)
    api.add_router("/", points_router)
    api.add_router("/", jobs_router)
    api.add_router("/reports", reports_router)
    api.add_router("/contests", contests_router)
    api.add_router("/orginfo", orginfo_router)
    api.add_router("/checklists", checklists_router)
    api.add_router("/exams", exams_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/assessments", assessments_router)


_routers()
