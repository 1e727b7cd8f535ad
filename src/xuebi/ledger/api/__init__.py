"""The ledger's API: one router for ``xuebi.api``, made of one router per sub-domain."""

from ninja import Router

from . import exports, kinds, lectures, records, reports

router = Router()
for module in (kinds, records, reports, lectures, exports):
    router.add_router("/", module.router)
