"""The site frame's fixed parts (base.html), worked out once per process rather than on every page:
the asset tags of the head and the addresses of the account menu. ``{% static %}`` and ``{% url %}``
are cheap one by one, but the frame has 21 of them, and they were half of rendering a page whose
content came from the cache (the board: bench/points.py's load table)."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

STYLESHEETS = [
    "vendor/bootstrap/bootstrap.min.css",
    "xuebi/xuebi.css",
    "xuebi/accounts.css",
    "xuebi/person-picker.css",
    "xuebi/roster.css",
    "xuebi/boards.css",
    "reports/notice.css",
]
PRINT_STYLESHEETS = ["xuebi/print.css"]
SCRIPTS = [
    "vendor/htmx/htmx.min.js",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "xuebi/xuebi.js",
    "xuebi/accounts.js",
    "xuebi/person-picker.js",
    "xuebi/attendee-hours.js",
    "xuebi/datepicker.js",
    "xuebi/boards.js",
    "notifications/bell.js",
]


@lru_cache(maxsize=8)
def _assets(static_url: str) -> SafeString:
    parts = [format_html('<link rel="icon" href="{}" type="image/svg+xml">', static("xuebi/favicon.svg"))]
    parts += [format_html('<link rel="stylesheet" href="{}">', static(path)) for path in STYLESHEETS]
    parts += [format_html('<link rel="stylesheet" href="{}" media="print">', static(path)) for path in PRINT_STYLESHEETS]
    parts += [format_html('<script src="{}" defer></script>', static(path)) for path in SCRIPTS]
    return format_html_join("\n  ", "{}", ((part,) for part in parts))


@register.simple_tag
def frame_assets() -> SafeString:
    """The icon, style sheets and scripts of every page."""
    from django.conf import settings

    return _assets(settings.STATIC_URL)


@lru_cache(maxsize=256)
def _address(name: str, prefix: str, urlconf) -> str:
    return reverse(name, urlconf=urlconf)


@register.simple_tag
def frame_url(name: str) -> str:
    """``{% url name %}`` for the frame's addresses without arguments, reversed once per process
    (and script prefix)."""
    return _address(name, get_script_prefix(), get_urlconf())
