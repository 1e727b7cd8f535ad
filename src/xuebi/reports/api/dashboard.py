"""/api/v1/reports/…: dashboard."""

from ninja import Router

router = Router(tags=["通报与总结"])
