"""API pieces every app uses: integers the database can hold, the paginator, the JSON parser
that refuses text the database cannot store, and the error body every 4xx answer has."""

from __future__ import annotations

import json
import typing
from typing import Annotated

from ninja import Field, Schema
from ninja import pagination
from ninja.parser import Parser

from .text import BadText, find_bad_text

__all__ = ["DB_INT_MAX", "DbInt", "ErrorOut", "JsonParser", "LimitOffsetPagination", "Offset", "paginate"]

# The widest integer column (BigAutoField ids, SQLite's INTEGER) holds a signed 64-bit value.
# A larger one used to reach the database and fail there (OverflowError on SQLite, "bigint out
# of range" on PostgreSQL): a 500. Typed inputs refuse it with a 422 that names the field.
DB_INT_MAX = 2**63 - 1

DbInt = Annotated[int, Field(ge=-DB_INT_MAX - 1, le=DB_INT_MAX)]
"""An integer the database can hold: every integer in a query, a path or a body is one."""

# Room for offset + limit (at most NINJA_PAGINATION_MAX_LIMIT) under the database's maximum.
Offset = Annotated[int, Field(ge=0, le=DB_INT_MAX - 10_000)]


class ErrorOut(Schema):
    """Every 4xx answer: one message, or a list of {"loc": [...], "msg": "..."} naming the fields."""

    detail: list[dict] | str


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """Ninja's paginator with an ``offset`` the database can take (its own is unbounded)."""

    class Input(pagination.LimitOffsetPagination.Input):
        offset: Offset = 0


def paginate(paginator_class=LimitOffsetPagination, **params):
    """ninja's ``paginate`` for views whose annotations name the project's types (``DbInt``).

    ninja resolves a paginated view's string annotations (``from __future__ import
    annotations``) in its own wrapper's module, where ``DbInt`` is unknown; resolve them in the
    view's module first."""

    def decorator(view):
        view.__annotations__ = typing.get_type_hints(view, include_extras=True)
        return pagination.paginate(paginator_class, **params)(view)

    return decorator


class JsonParser(Parser):
    """JSON bodies without NUL characters or lone surrogates ("\\u0000", "\\ud800"): PostgreSQL
    stores neither and no driver can encode a surrogate, so they are refused here, once, with
    the field's name — not by each service, and not as a 500 from the database."""

    def parse_body(self, request):
        try:
            data = json.loads(request.body)
        except UnicodeDecodeError as exc:
            raise BadText(["body"], "请求内容不是有效的 UTF-8 编码。") from exc
        find_bad_text(data, ["body"])
        return data
