from __future__ import annotations

import uuid

from . import context


def client_ip(request) -> str:
    # Behind a proxy the deployment sets XUEBI_BEHIND_PROXY and the proxy sets X-Forwarded-For;
    # only then is the header trusted (settings.SECURE_PROXY_SSL_HEADER is the same switch).
    from django.conf import settings

    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


class RequestContextMiddleware:
    """Give the request an id and an address, and make both visible to services."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        ctx = context.RequestContext(
            ip=client_ip(request),
            request_id=request.request_id,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
        )
        request.xuebi_context = ctx
        token = context.set_context(ctx)
        try:
            response = self.get_response(request)
        finally:
            context.reset_context(token)
        response["X-Request-ID"] = request.request_id
        return response


class RequestUserMiddleware:
    """After authentication: the acting user joins the request context."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ctx = getattr(request, "xuebi_context", None)
        if ctx is not None and request.user.is_authenticated:
            ctx.user = request.user
        return self.get_response(request)
