"""Small helpers every app's views share about the request."""

from __future__ import annotations

from django.http import HttpRequest, QueryDict

__all__ = ["posted", "query_without_page"]


def posted(request: HttpRequest) -> QueryDict | None:
    """The POST data of a POST, else None. (``request.POST or None`` would treat a form posted
    with every box unticked — no absentees, no members — as not posted at all.)"""
    return request.POST if request.method == "POST" else None


def query_without_page(request: HttpRequest) -> str:
    """The list's query string (its filters) without ``page``: what the pager's links carry on."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
