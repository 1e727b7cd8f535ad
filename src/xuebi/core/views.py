"""Pages that know no domain."""

from __future__ import annotations

from django.http import JsonResponse


def healthz(request):
    """For a load balancer: the process answers (no database read)."""
    return JsonResponse({"status": "ok"})
