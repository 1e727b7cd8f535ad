from __future__ import annotations

import ipaddress
import uuid

from django.conf import settings
from django.utils.datastructures import MultiValueDict

from . import context
from .errors import bad_text
from .text import BadText, bad_character, find_bad_text, message_for, shown


def client_ip(request) -> str:
    """The client's address: the one the audit log records and the lockout counts (axes calls this too).

    Only behind our own reverse proxies (XUEBI_BEHIND_PROXY) is X-Forwarded-For read, and then
    only the entry our outermost proxy wrote: XUEBI_TRUSTED_PROXIES places from the right. Entries
    further left were written by the client and prove nothing; taking the left-most let anyone
    appear to log in from 8.8.8.8. A header shorter than the proxy chain, or an entry that is not an
    address, means the request did not come the way the deployment says, so the connecting peer is
    used instead.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    if not settings.XUEBI_BEHIND_PROXY:
        return peer
    hops = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    count = max(settings.XUEBI_TRUSTED_PROXIES, 1)
    if len(hops) < count:
        return peer
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return peer


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


class CleanInputMiddleware:
    """Refuse NUL characters and lone surrogates in the path, the query string and form fields
    (and uploaded files' names) with a 400 naming the field, before any view or form sees them.

    PostgreSQL refuses NUL in text and no driver can encode a surrogate, so either one used to
    reach the database as a 500 (a search box with %00 in it, a roster field). JSON bodies are
    checked by the API's parser (core.api.JsonParser), which knows where in the body it is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            self._check(request)
        except BadText as exc:
            return bad_text(request, exc)
        return self.get_response(request)

    @staticmethod
    def _check(request) -> None:
        problem = bad_character(request.path)
        if problem:
            raise BadText(["path"], message_for("地址", problem))
        for where, values in (("query", request.GET), ("form", _form_fields(request))):
            for key, items in values.lists():
                for item in (key, *items):
                    find_bad_text(item, [where, shown(key)])


def _form_fields(request):
    """The posted form's fields and file names; nothing for JSON or other bodies (nor GET)."""
    content_type = request.content_type or ""
    if request.method != "POST" or not (
        content_type.startswith("multipart/") or content_type == "application/x-www-form-urlencoded"
    ):
        return MultiValueDict()
    fields = request.POST.copy()
    for name, uploads in request.FILES.lists():
        fields.setlist(name, [upload.name or "" for upload in uploads])
    return fields
