"""/api/v1/reports/…: summary."""

from ninja import Router

router = Router(tags=["通报与总结"])
