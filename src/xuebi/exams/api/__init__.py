"""/api/v1/exams: the same services, selectors and scoping as the pages, one module per part."""

from ninja import Router

from . import bank, manage, results, taking

router = Router()
router.add_router("/", taking.router)
router.add_router("/", manage.router)
router.add_router("/", bank.router)
router.add_router("/", results.router)
