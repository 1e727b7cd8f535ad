"""Error answers: Chinese pages for people, JSON with a Chinese ``detail`` for the API.

Every answer of 400 and above under /api/ is JSON, whoever made it — ninja's 405, Django's
404 for an address no route has, the 400 of a body over DATA_UPLOAD_MAX_MEMORY_SIZE, the
500 page — because ``ApiErrorMiddleware`` turns any other error body into one.
"""

from __future__ import annotations


from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse
from django.shortcuts import render

from .text import BadText

API_PREFIX = "/api/"

# What a caller is told for a status when nothing more precise was said.
MESSAGES = {
    400: "请求无效：请检查请求的格式和内容。",
    401: "未认证：请提供有效的访问令牌。",
    403: "无权执行此操作。",
    404: "找不到该对象，或您无权访问。",
    405: "不支持该请求方法。",
    415: "不支持该内容类型，请提交 JSON。",
    500: "服务器内部错误，请稍后重试；如果问题持续，请联系系统管理员。",
}


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def message(status: int) -> str:
    if status == 413:
        from django.conf import settings

        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        return f"请求内容过大：正文不能超过 {limit:g} MB（佐证材料请通过上传接口逐个上传）。"
    return MESSAGES.get(status) or (MESSAGES[500] if status >= 500 else MESSAGES[400])


def json_error(status: int, detail=None, **headers) -> JsonResponse:
    response = JsonResponse(
        {"detail": detail if detail is not None else message(status)}, status=status, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in headers.items():
        response[name] = value
    return response


def status_of(exception) -> int:
    """413 for a body over the limit; 400 for every other refused request (SuspiciousOperation)."""
    return 413 if isinstance(exception, RequestDataTooBig) else 400


def _page_message(exception) -> str:
    if isinstance(exception, RequestDataTooBig):
        return "提交的内容过大，请减少内容后重试。"
    if isinstance(exception, TooManyFieldsSent):
        return "提交的字段过多，请减少后重试。"
    return "请求无效，请返回上一页重试。"


def bad_request(request, exception=None):
    status = status_of(exception)
    if is_api(request):
        return json_error(status)
    return render(request, "400.html", {"message": _page_message(exception)}, status=status)


def bad_text(request, exc: BadText):
    """A value with a character no column can store (core.text): 400 naming where it was."""
    if is_api(request):
        return json_error(400, [{"loc": exc.loc, "msg": exc.message}])
    return render(request, "400.html", {"message": exc.message}, status=400)


def forbidden(request, exception=None):
    if is_api(request):
        return json_error(403, str(exception) if exception else None)
    return render(request, "403.html", {"message": str(exception) if exception else ""}, status=403)


def not_found(request, exception=None):
    if is_api(request):
        return json_error(404)
    return render(request, "404.html", status=404)


def server_error(request):
    if is_api(request):
        return json_error(500)
    # Django's own 500 view: a plain page that needs no context processors (the database may be down).
    from django.views.defaults import server_error as default

    return default(request)


class ApiErrorMiddleware:
    """Under /api/, an error answer that is not JSON becomes ``{"detail": "<中文>"}`` with the
    same status and headers (ninja's 405 "Method not allowed" keeps its Allow header)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and is_api(request)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            replacement = json_error(response.status_code)
            for header in ("Allow", "WWW-Authenticate", "X-Request-ID", "Retry-After"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response
