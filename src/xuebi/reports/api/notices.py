"""/api/v1/reports/…: notices."""

from ninja import Router

router = Router(tags=["通报与总结"])
