"""The campaign app's API: one router for ``xuebi.api``, made of one router per sub-domain."""

from ninja import Router

from . import campaigns, rules

router = Router()
for module in (campaigns, rules):
    router.add_router("/", module.router)
