"""The reports app's API under /api/v1/reports/: one router made of one router per sub-domain."""

from ninja import Router

from . import dashboard, notices, summary

router = Router()
for module in (notices, summary, dashboard):
    router.add_router("/", module.router)
